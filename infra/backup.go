package main

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsbackup"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsrds"
	"github.com/aws/jsii-runtime-go"

	"innkeeper/shared/restorecheck"
)

// restoreChecker is the manifest function that validates restores.
const restoreChecker = "restorecheck"

// maxRestoreSeconds is the recovery time objective (docs/runbook.md):
// a restore test slower than this raises the restore-rto alarm.
const maxRestoreSeconds = 3600

// addRestoreTesting backs the database up daily into a vault of AWS
// Backup and restores the latest recovery point every week into a
// throwaway instance, in a security group only the restore checker
// reaches. AWS Backup's "Restore Job State Change" event invokes the
// checker, which reports back, and AWS Backup deletes the instance.
func (s *Innkeeper) addRestoreTesting() {
	st := s.stage()
	n, db := s.Network, s.Data.DB
	vault := awsbackup.NewBackupVault(s.Stack, jsii.String("BackupVault"), &awsbackup.BackupVaultProps{
		BackupVaultName: jsii.String(FunctionName(st.Name, "backups")),
		RemovalPolicy:   s.removal(),
	})
	plan := awsbackup.NewBackupPlan(s.Stack, jsii.String("BackupPlan"), &awsbackup.BackupPlanProps{
		BackupVault: vault,
		BackupPlanRules: &[]awsbackup.BackupPlanRule{awsbackup.NewBackupPlanRule(&awsbackup.BackupPlanRuleProps{
			RuleName:           jsii.String("daily"),
			ScheduleExpression: awsevents.Schedule_Cron(&awsevents.CronOptions{Hour: jsii.String("3"), Minute: jsii.String("0")}),
			DeleteAfter:        awscdk.Duration_Days(jsii.Number(float64(st.BackupRetentionDay))),
		})},
	})
	plan.AddSelection(jsii.String("Database"), &awsbackup.BackupSelectionOptions{
		Resources: &[]awsbackup.BackupResource{awsbackup.BackupResource_FromRdsDatabaseInstance(db)},
	})

	restored := awsec2.NewSecurityGroup(s.Stack, jsii.String("RestoredDatabaseSG"), &awsec2.SecurityGroupProps{
		Vpc: n.VPC, Description: jsii.String("Restore tests: the restore checker only"), AllowAllOutbound: jsii.Bool(false),
	})
	restored.AddIngressRule(n.RestoreCheck, awsec2.Port_Tcp(jsii.Number(dbPort)), jsii.String("restore checker to the restored database"), nil)
	role := awsiam.NewRole(s.Stack, jsii.String("RestoreTestingRole"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("backup.amazonaws.com"), nil),
		ManagedPolicies: &[]awsiam.IManagedPolicy{
			awsiam.ManagedPolicy_FromAwsManagedPolicyName(jsii.String("service-role/AWSBackupServiceRolePolicyForRestores")),
		},
	})
	name := "innkeeper_" + st.Name + "_weekly"
	testing := awsbackup.NewCfnRestoreTestingPlan(s.Stack, jsii.String("RestoreTestingPlan"), &awsbackup.CfnRestoreTestingPlanProps{
		RestoreTestingPlanName: jsii.String(name),
		ScheduleExpression:     jsii.String("cron(0 5 ? * SUN *)"),
		StartWindowHours:       jsii.Number(2),
		RecoveryPointSelection: &awsbackup.CfnRestoreTestingPlan_RestoreTestingRecoveryPointSelectionProperty{
			Algorithm:           jsii.String("LATEST_WITHIN_WINDOW"),
			IncludeVaults:       &[]*string{vault.BackupVaultArn()},
			RecoveryPointTypes:  &[]*string{jsii.String("SNAPSHOT")},
			SelectionWindowDays: jsii.Number(7),
		},
	})
	subnets := db.Node().FindChild(jsii.String("SubnetGroup")).(awsrds.ISubnetGroup)
	selection := awsbackup.NewCfnRestoreTestingSelection(s.Stack, jsii.String("RestoreTestingSelection"), &awsbackup.CfnRestoreTestingSelectionProps{
		RestoreTestingPlanName:      jsii.String(name),
		RestoreTestingSelectionName: jsii.String("database"),
		ProtectedResourceType:       jsii.String("RDS"),
		ProtectedResourceArns:       &[]*string{db.InstanceArn()},
		IamRoleArn:                  role.RoleArn(),
		ValidationWindowHours:       jsii.Number(2),
		RestoreMetadataOverrides: map[string]*string{
			"dbSubnetGroupName":   subnets.SubnetGroupName(),
			"vpcSecurityGroupIds": jsii.String(fmt.Sprintf(`["%s"]`, *restored.SecurityGroupId())),
			"publiclyAccessible":  jsii.String("false"),
		},
	})
	selection.AddDependency(testing)

	rule := awsevents.NewRule(s.Stack, jsii.String("RestoreTestedRule"), &awsevents.RuleProps{
		RuleName:    jsii.String(FunctionName(st.Name, "restore-tested")),
		Description: jsii.String("A restore test of the database completed: validate it"),
		EventPattern: &awsevents.EventPattern{
			Source:     jsii.Strings("aws.backup"),
			DetailType: jsii.Strings("Restore Job State Change"),
			Detail: &map[string]any{
				"status":                []string{"COMPLETED"},
				"resourceType":          []string{"RDS"},
				"restoreTestingPlanArn": []any{map[string]any{"exists": true}},
			},
		},
	})
	rule.AddTarget(awseventstargets.NewLambdaFunction(s.Aliases[restoreChecker], &awseventstargets.LambdaFunctionProps{
		RetryAttempts: jsii.Number(2),
		MaxEventAge:   awscdk.Duration_Hours(jsii.Number(1)),
	}))
	// AWS Backup's restore jobs have no ARN to scope the call to.
	s.Functions[restoreChecker].AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("ReportRestoreTests"),
		Actions:   jsii.Strings(restorecheck.Actions["PutRestoreValidationResult"]...),
		Resources: jsii.Strings("*"),
	}))

	rto := awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
		Namespace:     jsii.String(restorecheck.EMFNamespace),
		MetricName:    jsii.String(restorecheck.RestoreMetric),
		DimensionsMap: &map[string]*string{"ResourceType": jsii.String("RDS")},
		Statistic:     jsii.String("Maximum"),
		Period:        awscdk.Duration_Hours(jsii.Number(1)),
	})
	s.alarm("restore-rto", "A restore test took longer than the RTO of one hour: docs/runbook.md, Backups and restore", rto, maxRestoreSeconds, 1)
}
