package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"
)

// Network is the VPC: private subnets for the functions, the database
// and the cache, VPC endpoints for the AWS services they call, NAT
// gateways in public subnets for what is not AWS (Stripe's API), and
// one security group per tier. Nothing in the private subnets has a
// public address; the public subnets hold the NAT gateways alone.
type Network struct {
	VPC        awsec2.Vpc
	SubnetType awsec2.SubnetType
	// Functions, Proxy, Database and Cache are the tiers' security
	// groups: the proxy and the cache admit only the functions, the
	// database only the proxy (and the rotation of its own secret).
	Functions awsec2.SecurityGroup
	Proxy     awsec2.SecurityGroup
	Database  awsec2.SecurityGroup
	Cache     awsec2.SecurityGroup
	// Rotation is the database secret's rotation function: it logs in
	// to the instance itself to change the password.
	Rotation awsec2.SecurityGroup
	// RestoreCheck is the restore checker's own group, beside the
	// functions': the only one the restore tests' instances admit.
	RestoreCheck awsec2.SecurityGroup
	// SecretsEndpoint is Secrets Manager's endpoint, which the database
	// secret's rotation function calls.
	SecretsEndpoint awsec2.InterfaceVpcEndpoint
}

// interfaceEndpoints are the AWS services the functions call, reached
// privately rather than through the NAT gateways: no internet path, a
// fixed cost of a few dollars a month per endpoint and zone, and no NAT
// charge per GB for the AWS traffic.
var interfaceEndpoints = []struct {
	id      string
	service func() awsec2.InterfaceVpcEndpointAwsService
	// privateDNS: the endpoint answers for the service's public name.
	// execute-api's must not: with it on, the VPC could reach only
	// private APIs, and the WebSocket API is a regional one.
	privateDNS bool
}{
	{"SQS", awsec2.InterfaceVpcEndpointAwsService_SQS, true},
	{"SecretsManager", awsec2.InterfaceVpcEndpointAwsService_SECRETS_MANAGER, true},
	{"SES", awsec2.InterfaceVpcEndpointAwsService_EMAIL, true},
	{"ExecuteAPI", awsec2.InterfaceVpcEndpointAwsService_APIGATEWAY, false},
	// The restore checker reports to AWS Backup.
	{"Backup", awsec2.InterfaceVpcEndpointAwsService_BACKUP, true},
}

func newNetwork(s *Innkeeper) *Network {
	st := s.stage()
	subnetType := awsec2.SubnetType_PRIVATE_ISOLATED
	subnets := []*awsec2.SubnetConfiguration{
		{Name: jsii.String("private"), SubnetType: subnetType, CidrMask: jsii.Number(22)},
	}
	if st.NatGateways > 0 {
		// Egress through NAT needs public subnets for the gateways; the
		// functions stay private.
		subnetType = awsec2.SubnetType_PRIVATE_WITH_EGRESS
		subnets = []*awsec2.SubnetConfiguration{
			{Name: jsii.String("public"), SubnetType: awsec2.SubnetType_PUBLIC, CidrMask: jsii.Number(24)},
			{Name: jsii.String("private"), SubnetType: subnetType, CidrMask: jsii.Number(22)},
		}
	}
	vpc := awsec2.NewVpc(s.Stack, jsii.String("VPC"), &awsec2.VpcProps{
		MaxAzs:                       jsii.Number(2),
		NatGateways:                  jsii.Number(float64(st.NatGateways)),
		SubnetConfiguration:          &subnets,
		RestrictDefaultSecurityGroup: jsii.Bool(true),
	})
	flowLogs := awslogs.NewLogGroup(s.Stack, jsii.String("VPCFlowLogs"), &awslogs.LogGroupProps{
		Retention:     retention(st.LogRetentionDays),
		RemovalPolicy: s.removal(),
	})
	vpc.AddFlowLog(jsii.String("RejectedTraffic"), &awsec2.FlowLogOptions{
		TrafficType: awsec2.FlowLogTrafficType_REJECT,
		Destination: awsec2.FlowLogDestination_ToCloudWatchLogs(flowLogs, nil),
	})

	n := &Network{VPC: vpc, SubnetType: subnetType}
	n.Functions = awsec2.NewSecurityGroup(s.Stack, jsii.String("FunctionsSG"), &awsec2.SecurityGroupProps{
		Vpc: vpc, Description: jsii.String("Innkeeper functions"), AllowAllOutbound: jsii.Bool(true),
	})
	n.Proxy = awsec2.NewSecurityGroup(s.Stack, jsii.String("ProxySG"), &awsec2.SecurityGroupProps{
		Vpc: vpc, Description: jsii.String("RDS Proxy: functions only"), AllowAllOutbound: jsii.Bool(false),
	})
	n.Database = awsec2.NewSecurityGroup(s.Stack, jsii.String("DatabaseSG"), &awsec2.SecurityGroupProps{
		Vpc: vpc, Description: jsii.String("PostgreSQL: its proxy and the rotation of its secret only"), AllowAllOutbound: jsii.Bool(false),
	})
	n.Rotation = awsec2.NewSecurityGroup(s.Stack, jsii.String("RotationSG"), &awsec2.SecurityGroupProps{
		Vpc: vpc, Description: jsii.String("Rotation of the database secret"), AllowAllOutbound: jsii.Bool(true),
	})
	n.RestoreCheck = awsec2.NewSecurityGroup(s.Stack, jsii.String("RestoreCheckSG"), &awsec2.SecurityGroupProps{
		Vpc: vpc, Description: jsii.String("The restore checker, to the restore tests instances"), AllowAllOutbound: jsii.Bool(true),
	})
	n.Cache = awsec2.NewSecurityGroup(s.Stack, jsii.String("CacheSG"), &awsec2.SecurityGroupProps{
		Vpc: vpc, Description: jsii.String("Redis: functions only"), AllowAllOutbound: jsii.Bool(false),
	})
	n.Cache.AddIngressRule(n.Functions, awsec2.Port_Tcp(jsii.Number(redisPort)), jsii.String("functions to Redis"), nil)

	vpc.AddGatewayEndpoint(jsii.String("S3"), &awsec2.GatewayVpcEndpointOptions{
		Service: awsec2.GatewayVpcEndpointAwsService_S3(),
	})
	endpoints := awsec2.NewSecurityGroup(s.Stack, jsii.String("EndpointsSG"), &awsec2.SecurityGroupProps{
		Vpc: vpc, Description: jsii.String("VPC endpoints: HTTPS from the functions"), AllowAllOutbound: jsii.Bool(false),
	})
	endpoints.AddIngressRule(n.Functions, awsec2.Port_Tcp(jsii.Number(443)), jsii.String("functions to AWS APIs"), nil)
	endpoints.AddIngressRule(n.Rotation, awsec2.Port_Tcp(jsii.Number(443)), jsii.String("rotation to Secrets Manager"), nil)
	for _, e := range interfaceEndpoints {
		ep := vpc.AddInterfaceEndpoint(jsii.String(e.id), &awsec2.InterfaceVpcEndpointOptions{
			Service:           e.service(),
			PrivateDnsEnabled: jsii.Bool(e.privateDNS),
			SecurityGroups:    &[]awsec2.ISecurityGroup{endpoints},
			Subnets:           &awsec2.SubnetSelection{SubnetType: subnetType},
			Open:              jsii.Bool(false),
		})
		if e.id == "SecretsManager" {
			n.SecretsEndpoint = ep
		}
	}
	return n
}
