package localstack

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

const composeFile = "../docker-compose.yml"

// compose is the part of the Compose specification the checks read.
type compose struct {
	Name     string `yaml:"name"`
	Services map[string]struct {
		Image       string            `yaml:"image"`
		Environment map[string]string `yaml:"environment"`
		Ports       []string          `yaml:"ports"`
		Volumes     []string          `yaml:"volumes"`
		Healthcheck *struct {
			Test []string `yaml:"test"`
		} `yaml:"healthcheck"`
		DependsOn map[string]struct {
			Condition string `yaml:"condition"`
		} `yaml:"depends_on"`
	} `yaml:"services"`
	Volumes  map[string]any `yaml:"volumes"`
	Networks map[string]struct {
		Name string `yaml:"name"`
	} `yaml:"networks"`
}

func load(t *testing.T) compose {
	t.Helper()
	raw, err := os.ReadFile(composeFile)
	if err != nil {
		t.Fatal(err)
	}
	var c compose
	if err := yaml.Unmarshal(raw, &c); err != nil {
		t.Fatalf("compose file does not parse: %v", err)
	}
	return c
}

// pinned is an image reference with an exact version tag (x.y.z or a
// dated release) or a digest: never latest, never a bare major.
var pinned = regexp.MustCompile(`^[a-z0-9./-]+(:v?[0-9]+\.[0-9]+(\.[0-9]+)?(-[a-z0-9.]+)?)?(@sha256:[0-9a-f]{64})?$`)

func TestEveryImagePinnedAndHealthChecked(t *testing.T) {
	c := load(t)
	if len(c.Services) < 4 {
		t.Fatalf("%d services, want LocalStack, PostgreSQL, Redis and Mailpit", len(c.Services))
	}
	for name, s := range c.Services {
		if s.Image == "" {
			t.Errorf("%s: no image", name)
		}
		if !pinned.MatchString(s.Image) || !strings.ContainsAny(s.Image, ":@") || strings.HasSuffix(s.Image, ":latest") {
			t.Errorf("%s: image %q is not pinned to an exact version", name, s.Image)
		}
		if s.Healthcheck == nil || len(s.Healthcheck.Test) < 2 {
			t.Errorf("%s: no health check", name)
		}
		for _, p := range s.Ports {
			if !strings.HasPrefix(p, "127.0.0.1:") {
				t.Errorf("%s: port %s open beyond loopback", name, p)
			}
		}
		for _, v := range s.Volumes {
			src, _, _ := strings.Cut(v, ":")
			if strings.HasPrefix(src, "/") {
				if src != "/var/run/docker.sock" {
					t.Errorf("%s: bind mount %s: use a named volume", name, v)
				}
				continue
			}
			if _, ok := c.Volumes[src]; !ok {
				t.Errorf("%s: volume %s not declared", name, src)
			}
		}
		if name != "localstack" && len(s.Volumes) == 0 {
			t.Errorf("%s: no named volume", name)
		}
	}
}

func TestLocalStackStageWiring(t *testing.T) {
	c := load(t)
	for _, want := range []string{"localstack", "postgres", "redis", "mailpit"} {
		if _, ok := c.Services[want]; !ok {
			t.Errorf("service %s missing: the localstack stage's functions name it", want)
		}
	}
	ls := c.Services["localstack"]
	if tok := ls.Environment["LOCALSTACK_AUTH_TOKEN"]; !strings.HasPrefix(tok, "${LOCALSTACK_AUTH_TOKEN:?") {
		t.Errorf("LOCALSTACK_AUTH_TOKEN = %q: take it from the environment and fail without it", tok)
	}
	network := ls.Environment["LAMBDA_DOCKER_NETWORK"]
	if network == "" || c.Networks["default"].Name != network {
		t.Errorf("Lambda containers join %q, compose network is %q: functions could not reach postgres", network, c.Networks["default"].Name)
	}
	for _, svc := range []string{"lambda", "sqs", "events", "secretsmanager", "apigateway", "cloudformation"} {
		if !strings.Contains(","+ls.Environment["SERVICES"]+",", ","+svc+",") {
			t.Errorf("LocalStack SERVICES lacks %s", svc)
		}
	}
	for dep, d := range ls.DependsOn {
		if d.Condition != "service_healthy" {
			t.Errorf("localstack starts before %s is healthy", dep)
		}
	}
}

// TestComposeConfigWhereDockerExists validates the file with Compose
// itself where it is installed; without it the checks above stand.
func TestComposeConfigWhereDockerExists(t *testing.T) {
	var cmd *exec.Cmd
	if _, err := exec.LookPath("docker"); err == nil && exec.Command("docker", "compose", "version").Run() == nil {
		cmd = exec.Command("docker", "compose", "-f", composeFile, "config", "--quiet")
	} else {
		t.Skip("docker compose is not installed here; the file was checked by parsing it")
	}
	cmd.Env = append(os.Environ(), "LOCALSTACK_AUTH_TOKEN=test-token")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("docker compose config: %v\n%s", err, out)
	}
}
