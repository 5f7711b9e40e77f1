package cur

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Actions are the IAM actions each S3 call of the reader needs, by call.
var Actions = map[string][]string{
	"ListObjectsV2": {"s3:ListBucket"},
	"GetObject":     {"s3:GetObject"},
}

// S3API is the part of the S3 client the reader calls.
type S3API interface {
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, opts ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// S3 is an export in S3: Bucket and Prefix, the export's root
// (<prefix>/<export-name>, without a trailing slash).
type S3 struct {
	Client S3API
	Bucket string
	Prefix string
}

// ParseS3URI reads s3://bucket/prefix/export-name into a bucket and the
// export's root.
func ParseS3URI(s string) (bucket, prefix string, err error) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "s3" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", "", fmt.Errorf("cur: %q is not an s3://bucket/prefix/export-name URI", s)
	}
	return u.Host, strings.Trim(u.Path, "/"), nil
}

func (s S3) partition(period string) string {
	if s.Prefix == "" {
		return PartitionDir(period) + "/"
	}
	return s.Prefix + "/" + PartitionDir(period) + "/"
}

// Files lists the period's data objects.
func (s S3) Files(ctx context.Context, period string) ([]string, error) {
	var out []string
	p := s3.NewListObjectsV2Paginator(s.Client, &s3.ListObjectsV2Input{Bucket: aws.String(s.Bucket), Prefix: aws.String(s.partition(period))})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("cur: list s3://%s/%s: %w", s.Bucket, s.partition(period), err)
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			ok, err := dataFile(key)
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, key)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// Open reads an object.
func (s S3) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	o, err := s.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.Bucket), Key: aws.String(key)})
	if err != nil {
		return nil, fmt.Errorf("cur: get s3://%s/%s: %w", s.Bucket, key, err)
	}
	return o.Body, nil
}
