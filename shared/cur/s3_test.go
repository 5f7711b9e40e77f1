package cur

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// fakeS3 is a bucket in memory that answers ListObjectsV2 a page of
// pageSize keys at a time, and logs the calls.
type fakeS3 struct {
	bucket   string
	objects  map[string][]byte
	pageSize int
	calls    []string
}

func (f *fakeS3) ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, _ ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	f.calls = append(f.calls, "List "+aws.ToString(in.Bucket)+" "+aws.ToString(in.Prefix)+" "+aws.ToString(in.ContinuationToken))
	if aws.ToString(in.Bucket) != f.bucket {
		return nil, errors.New("NoSuchBucket")
	}
	var keys []string
	for k := range f.objects {
		if strings.HasPrefix(k, aws.ToString(in.Prefix)) && k > aws.ToString(in.ContinuationToken) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	out := &s3.ListObjectsV2Output{}
	if len(keys) > f.pageSize {
		keys = keys[:f.pageSize]
		out.IsTruncated, out.NextContinuationToken = aws.Bool(true), aws.String(keys[len(keys)-1])
	}
	for _, k := range keys {
		out.Contents = append(out.Contents, types.Object{Key: aws.String(k)})
	}
	return out, nil
}

func (f *fakeS3) GetObject(ctx context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	f.calls = append(f.calls, "Get "+aws.ToString(in.Key))
	b, ok := f.objects[aws.ToString(in.Key)]
	if !ok {
		return nil, errors.New("NoSuchKey")
	}
	return &s3.GetObjectOutput{Body: io.NopCloser(bytes.NewReader(b))}, nil
}

// TestS3ReadsTheExportPrefix: the S3 source lists the billing period's
// partition below the export's root, page after page, reads its CSV
// files only, and sums them as the folder does.
func TestS3ReadsTheExportPrefix(t *testing.T) {
	csv, err := os.ReadFile(fixture + "/data/BILLING_PERIOD=2026-12/innkeeper-cur-00001.csv")
	if err != nil {
		t.Fatal(err)
	}
	const root = "cur/innkeeper-cur"
	f := &fakeS3{bucket: "billing", pageSize: 1, objects: map[string][]byte{
		root + "/data/BILLING_PERIOD=2026-12/innkeeper-cur-00001.csv":         csv,
		root + "/data/BILLING_PERIOD=2026-12/readme.txt":                      []byte("not data"),
		root + "/metadata/BILLING_PERIOD=2026-12/innkeeper-cur-Manifest.json": []byte("{}"),
		root + "/data/BILLING_PERIOD=2026-11/innkeeper-cur-00001.csv":         []byte("junk that would fail"),
		"other/data/BILLING_PERIOD=2026-12/x.csv":                             []byte("junk that would fail"),
	}}
	b, err := Load(context.Background(), S3{Client: f, Bucket: "billing", Prefix: root}, []string{"2026-12"}, prod)
	if err != nil {
		t.Fatal(err)
	}
	days, _ := b.Days()
	want := want(root + "/data/BILLING_PERIOD=2026-12/innkeeper-cur-00001.csv")
	if !reflect.DeepEqual(days, want) {
		t.Errorf("days:\n got %+v\nwant %+v", days, want)
	}
	wantCalls := []string{
		"List billing " + root + "/data/BILLING_PERIOD=2026-12/ ",
		"List billing " + root + "/data/BILLING_PERIOD=2026-12/ " + root + "/data/BILLING_PERIOD=2026-12/innkeeper-cur-00001.csv",
		"Get " + root + "/data/BILLING_PERIOD=2026-12/innkeeper-cur-00001.csv",
	}
	if !reflect.DeepEqual(f.calls, wantCalls) {
		t.Errorf("calls:\n got %q\nwant %q", f.calls, wantCalls)
	}
	for _, c := range f.calls {
		name, _, _ := strings.Cut(c, " ")
		if _, ok := Actions[map[string]string{"List": "ListObjectsV2", "Get": "GetObject"}[name]]; !ok {
			t.Errorf("call %s has no IAM actions listed", c)
		}
	}
	if _, err := Load(context.Background(), S3{Client: f, Bucket: "nope", Prefix: root}, []string{"2026-12"}, prod); err == nil {
		t.Error("a bucket that fails to list read as an empty bill")
	}
}
