package main

import (
	"path/filepath"

	"innkeeper/shared/config"
)

// defaultBillDir is where the devstack's reconcile-bill job reads a CUR
// 2.0 export when CUR_DIR is not set: <root>/local/cur, laid out as the
// export's S3 prefix (data/BILLING_PERIOD=YYYY-MM/*.csv.gz). Drop an
// export's files there (or point CUR_DIR elsewhere) and fire the
// reconcile-bill schedule.
const defaultBillDir = "local/cur"

// billDir is the absolute folder the scheduler is given as CUR_DIR (the
// functions run in folders of their own, so a relative one would not
// resolve), or "" when the bill comes from S3 (CUR_S3_URI).
func billDir(root string, cfg config.Config) string {
	if cfg.CURS3URI != "" {
		return ""
	}
	dir := cfg.CURDir
	if dir == "" {
		dir = defaultBillDir
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(root, dir)
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return dir
}
