package cur

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"
)

// ReadParquet adds the line items of one CUR 2.0 Parquet file, as
// ReadCSV does a CSV one: each row is turned into the CSV export's text
// (timestamps as RFC 3339, resource_tags as a JSON object) and read by
// the same code. Parquet holds costs as doubles; each is taken as the
// shortest decimal that reads back as the same double
// (strconv.FormatFloat with precision -1), which is the figure AWS
// wrote, and then added up exactly like a CSV cost.
func (b *Bill) ReadParquet(r io.ReaderAt, size int64, file string) error {
	f, err := parquet.OpenFile(r, size)
	if err != nil {
		return &ReadError{file, 0, err}
	}
	schema := f.Schema()
	col := map[string]int{}
	scalar := map[int]parquet.LeafColumn{} // by column index
	for i, name := range required {
		col[name] = i
		if name == ColResourceTags {
			continue
		}
		leaf, ok := schema.Lookup(name)
		if !ok {
			return &ReadError{file, 0, fmt.Errorf("not a CUR 2.0 export: no column %s", name)}
		}
		scalar[leaf.ColumnIndex] = leaf
	}
	keyCol, valueCol := -1, -1
	for _, path := range schema.Columns() {
		if len(path) < 2 || path[0] != ColResourceTags {
			continue
		}
		leaf, _ := schema.Lookup(path...)
		switch path[len(path)-1] {
		case "key":
			keyCol = leaf.ColumnIndex
		case "value":
			valueCol = leaf.ColumnIndex
		}
	}
	if keyCol < 0 || valueCol < 0 {
		return &ReadError{file, 0, fmt.Errorf("not a CUR 2.0 export: no map column %s", ColResourceTags)}
	}
	local := NewBill(b.Filter)
	reader := parquet.NewReader(r, schema)
	defer reader.Close()
	rows := make([]parquet.Row, 64)
	line := 1
	for {
		n, err := reader.ReadRows(rows)
		for _, row := range rows[:n] {
			line++
			rec := make([]string, len(required))
			var keys, values []*string
			for _, v := range row {
				c := v.Column()
				switch {
				case c == keyCol:
					keys = append(keys, text(v))
				case c == valueCol:
					values = append(values, text(v))
				default:
					leaf, ok := scalar[c]
					if !ok {
						continue
					}
					s, err := cell(v, leaf)
					if err != nil {
						return &ReadError{file, line, fmt.Errorf("%s: %w", strings.Join(leaf.Path, "."), err)}
					}
					rec[col[leaf.Path[0]]] = s
				}
			}
			tags := map[string]string{}
			for i, k := range keys {
				if k == nil {
					continue
				}
				tags[*k] = ""
				if i < len(values) && values[i] != nil {
					tags[*k] = *values[i]
				}
			}
			js, _ := json.Marshal(tags)
			rec[col[ColResourceTags]] = string(js)
			if err := local.add(rec, col, file); err != nil {
				return &ReadError{file, line, err}
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return &ReadError{file, line, err}
		}
	}
	local.Counts.Files = 1
	b.merge(local)
	return nil
}

// text is a string value, or nil for a null.
func text(v parquet.Value) *string {
	if v.IsNull() {
		return nil
	}
	s := string(v.ByteArray())
	return &s
}

// cell is a scalar value as the CSV export writes it.
func cell(v parquet.Value, leaf parquet.LeafColumn) (string, error) {
	if v.IsNull() {
		return "", nil
	}
	switch v.Kind() {
	case parquet.ByteArray, parquet.FixedLenByteArray:
		return string(v.ByteArray()), nil
	case parquet.Double:
		return strconv.FormatFloat(v.Double(), 'g', -1, 64), nil
	case parquet.Float:
		return strconv.FormatFloat(float64(v.Float()), 'g', -1, 32), nil
	case parquet.Int96:
		return int96Time(v.Int96()).Format(time.RFC3339Nano), nil
	case parquet.Int64, parquet.Int32:
		lt := leaf.Node.Type().LogicalType()
		if lt != nil {
			if ts, ok := lt.Value.(*format.TimestampType); ok && ts.Unit.Value != nil {
				return time.Unix(0, 0).Add(time.Duration(v.Int64()) * ts.Unit.Value.Duration()).UTC().Format(time.RFC3339Nano), nil
			}
		}
		return strconv.FormatInt(v.Int64(), 10), nil
	}
	return "", fmt.Errorf("a %s value", v.Kind())
}

// int96Time reads the legacy INT96 timestamp (Hive, Athena): nanoseconds
// of the day in the low eight bytes, the Julian day in the high four.
func int96Time(i deprecated.Int96) time.Time {
	const unixJulianDay = 2440588
	nanos := uint64(i[1])<<32 | uint64(i[0])
	days := int64(i[2]) - unixJulianDay
	return time.Unix(days*86400, int64(nanos)).UTC()
}
