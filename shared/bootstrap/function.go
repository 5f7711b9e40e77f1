package bootstrap

import (
	"context"
	"log/slog"
	"os"

	"innkeeper/shared/config"
	"innkeeper/shared/logging"
)

// Function is every function's start: the configuration (secrets
// resolved), checked to have the variables the function cannot run
// without, and its JSON logger, also made the default. A bad
// configuration ends the process with one clear line, as Lambda reports
// an init error.
func Function(ctx context.Context, name string, require ...string) (config.Config, *slog.Logger) {
	cfg, err := Config(ctx)
	if err == nil {
		err = cfg.Require(require...)
	}
	if err != nil {
		slog.Error(name+": bad configuration", slog.String("error", err.Error()))
		os.Exit(1)
	}
	log := logging.New(os.Stdout, cfg.LogLevel)
	slog.SetDefault(log)
	return cfg, log
}

// Fatal ends a function's start on err, naming the function.
func Fatal(log *slog.Logger, name string, err error) {
	if err != nil {
		log.Error(name+": start", slog.String("error", err.Error()))
		os.Exit(1)
	}
}
