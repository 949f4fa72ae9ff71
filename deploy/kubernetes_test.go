package deploy

import (
	"bytes"
	"errors"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/watcher-news/watcher/config"
)

// manifest is the part of a Kubernetes object the test reads; the decoder
// ignores the rest.
type manifest struct {
	Kind     string                `yaml:"kind"`
	Metadata struct{ Name string } `yaml:"metadata"`
	Data     map[string]string     `yaml:"data"`
	Spec     struct {
		Replicas *int `yaml:"replicas"`
		Template struct {
			Spec struct {
				Containers []container `yaml:"containers"`
				Volumes    []volume    `yaml:"volumes"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

type volume struct {
	Name      string
	ConfigMap struct{ Name string } `yaml:"configMap"`
}

type container struct {
	Image string   `yaml:"image"`
	Args  []string `yaml:"args"`
	Env   []struct {
		Name      string
		ValueFrom struct {
			FieldRef struct {
				FieldPath string `yaml:"fieldPath"`
			} `yaml:"fieldRef"`
			SecretKeyRef struct{ Name, Key string } `yaml:"secretKeyRef"`
		} `yaml:"valueFrom"`
	} `yaml:"env"`
	Ports []struct {
		Name          string
		ContainerPort int `yaml:"containerPort"`
	} `yaml:"ports"`
	LivenessProbe struct {
		HTTPGet struct {
			Path string
			Port string
		} `yaml:"httpGet"`
	} `yaml:"livenessProbe"`
}

// TestKubernetes reads deploy/kubernetes.yaml as kubectl would (every
// document must parse) and checks what running three replicas needs: an
// image, replicas: 3, the replica named by the pod through the downward
// API, the database URL from a Secret, a liveness probe on /healthz at
// the port the config's listener binds, and a config.yaml in the
// ConfigMap that the watcher itself accepts.
func TestKubernetes(t *testing.T) {
	data, err := os.ReadFile("kubernetes.yaml")
	if err != nil {
		t.Fatal(err)
	}
	objs := map[string]manifest{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var m manifest
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("kubernetes.yaml: %v", err)
		}
		objs[m.Kind] = m
	}
	dep, ok := objs["Deployment"]
	if !ok {
		t.Fatal("kubernetes.yaml has no Deployment")
	}
	if r := dep.Spec.Replicas; r == nil || *r != 3 {
		n := "unset"
		if r != nil {
			n = strconv.Itoa(*r)
		}
		t.Errorf("Deployment replicas: %s, want 3", n)
	}
	cs := dep.Spec.Template.Spec.Containers
	if len(cs) != 1 {
		t.Fatalf("Deployment has %d containers, want the watcher only", len(cs))
	}
	c := cs[0]
	if !strings.Contains(c.Image, "watcher") {
		t.Errorf("image %q does not name the watcher", c.Image)
	}
	if i := slices.Index(c.Args, "--replica"); i < 0 || i+1 >= len(c.Args) || c.Args[i+1] != "$(POD_NAME)" {
		t.Errorf("args %q: want --replica $(POD_NAME)", c.Args)
	}
	env := map[string]string{}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom.FieldRef.FieldPath != "":
			env[e.Name] = "field " + e.ValueFrom.FieldRef.FieldPath
		case e.ValueFrom.SecretKeyRef.Name != "":
			env[e.Name] = "secret " + e.ValueFrom.SecretKeyRef.Name
		}
	}
	if env["POD_NAME"] != "field metadata.name" {
		t.Errorf("POD_NAME is %q, want the pod's name from the downward API", env["POD_NAME"])
	}
	if !strings.HasPrefix(env["WATCHER_STATE"], "secret ") {
		t.Errorf("WATCHER_STATE is %q, want a Secret", env["WATCHER_STATE"])
	}
	if p := c.LivenessProbe.HTTPGet; p.Path != "/healthz" || p.Port != "http" {
		t.Errorf("liveness probe %+v, want GET /healthz on port http", p)
	}
	port := 0
	for _, p := range c.Ports {
		if p.Name == "http" {
			port = p.ContainerPort
		}
	}

	cm, ok := objs["ConfigMap"]
	if !ok || cm.Data["config.yaml"] == "" {
		t.Fatal("kubernetes.yaml has no ConfigMap with a config.yaml")
	}
	if !slices.ContainsFunc(dep.Spec.Template.Spec.Volumes, func(v volume) bool { return v.ConfigMap.Name == cm.Metadata.Name }) {
		t.Errorf("the Deployment mounts no volume of ConfigMap %q", cm.Metadata.Name)
	}
	// The config as each pod would load it, with the Secret's values.
	secrets := map[string]string{
		"WATCHER_STATE":  "postgres://watcher:pw@db.example.org/watcher?sslmode=verify-full",
		"WEBHOOK_SECRET": "s3cret",
	}
	cfg, err := config.Parse([]byte(cm.Data["config.yaml"]), "config.yaml", config.Options{
		Getenv: func(k string) (string, bool) { v, ok := secrets[k]; return v, ok },
	})
	if err != nil {
		t.Fatalf("the ConfigMap's config.yaml: %v", err)
	}
	if cfg.State != secrets["WATCHER_STATE"] {
		t.Errorf("state = %q, want the Secret's URL", cfg.State)
	}
	if want := ":" + strconv.Itoa(port); cfg.HTTP.Listen != want {
		t.Errorf("http.listen = %q, but the probe's port is %d", cfg.HTTP.Listen, port)
	}
}
