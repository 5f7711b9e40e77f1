package cur

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"
)

// Source is where an export's files are: its S3 prefix in AWS, a
// folder laid out the same way locally and in tests.
type Source interface {
	// Files lists the data files of the billing period (YYYY-MM), by
	// name, in order; none when the period has not been delivered.
	Files(ctx context.Context, period string) ([]string, error)
	// Open reads a file Files listed.
	Open(ctx context.Context, name string) (io.ReadCloser, error)
}

// PartitionDir is the folder of a billing period's data files, below
// the export's root (<prefix>/<export-name>).
func PartitionDir(period string) string { return "data/BILLING_PERIOD=" + period }

// dataFile tells the data files of a partition (.csv, .csv.gz,
// .parquet) from the rest.
func dataFile(name string) (bool, error) {
	lower := strings.ToLower(name)
	for _, ext := range []string{".csv", ".csv.gz", ".parquet"} {
		if strings.HasSuffix(lower, ext) {
			return true, nil
		}
	}
	return false, nil
}

func isParquet(name string) bool { return strings.HasSuffix(strings.ToLower(name), ".parquet") }

// Dir is an export in a folder: <Dir>/data/BILLING_PERIOD=YYYY-MM/…
// (the layout below the export's S3 prefix).
type Dir string

// Files lists the period's data files, at any depth.
func (d Dir) Files(ctx context.Context, period string) ([]string, error) {
	root := filepath.Join(string(d), filepath.FromSlash(PartitionDir(period)))
	var out []string
	err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() {
			return nil
		}
		ok, err := dataFile(p)
		if ok {
			out = append(out, p)
		}
		return err
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cur: list %s: %w", root, err)
	}
	sort.Strings(out)
	return out, nil
}

// Open opens a file of the folder.
func (d Dir) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("cur: %w", err)
	}
	return f, nil
}

// Periods are the billing periods a run on the day of at reads: the
// current one, and the one before, which AWS may still correct for two
// weeks after it ends.
func Periods(at time.Time) []string {
	y, m, _ := at.UTC().Date()
	this := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	return []string{this.AddDate(0, -1, 0).Format("2006-01"), this.Format("2006-01")}
}

// Load reads the given billing periods of src for the stage f names.
// A period without files is left out of the bill's Periods, so that
// what is stored for it is kept until its files arrive.
func Load(ctx context.Context, src Source, periods []string, f Filter) (*Bill, error) {
	b := NewBill(f)
	for _, p := range periods {
		files, err := src.Files(ctx, p)
		if err != nil {
			return nil, err
		}
		for _, name := range files {
			if err := readFile(ctx, src, b, name); err != nil {
				return nil, err
			}
		}
		if len(files) > 0 {
			b.Periods[p] = true
		}
	}
	// A file of a period may name another in its rows; only the periods
	// asked for are replaced when stored.
	for p := range b.Periods {
		if !slices.Contains(periods, p) {
			return nil, fmt.Errorf("cur: the files of %v hold line items of billing period %s", periods, p)
		}
	}
	return b, nil
}

func readFile(ctx context.Context, src Source, b *Bill, name string) error {
	rc, err := src.Open(ctx, name)
	if err != nil {
		return err
	}
	defer rc.Close()
	if isParquet(name) {
		// Parquet's footer comes last: the file is read whole.
		raw, err := io.ReadAll(rc)
		if err != nil {
			return fmt.Errorf("cur: read %s: %w", name, err)
		}
		return b.ReadParquet(bytes.NewReader(raw), int64(len(raw)), name)
	}
	return b.ReadCSV(rc, name)
}
