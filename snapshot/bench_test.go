package snapshot

import (
	"encoding/json"
	"fmt"
	"testing"
)

// dockerLike returns about size bytes of JSON shaped like a Docker host
// snapshot: a container list, images and volumes, as the agent polls them.
func dockerLike(size int) []byte {
	type port struct {
		IP          string `json:"IP,omitempty"`
		PrivatePort int
		PublicPort  int `json:"PublicPort,omitempty"`
		Type        string
	}
	var containers, images, volumes []any
	doc := map[string]any{
		"info":    map[string]any{"ID": "7TRN:IPZB:QYBB", "Containers": 0, "ServerVersion": "27.3.1", "MemTotal": 16643624960, "NCPU": 8},
		"version": map[string]any{"Version": "27.3.1", "ApiVersion": "1.47", "GoVersion": "go1.22.7"},
	}
	for i := 0; ; i++ {
		id := fmt.Sprintf("%064x", uint64(i)*0x9e3779b97f4a7c15)
		containers = append(containers, map[string]any{
			"Id":         id,
			"Names":      []string{fmt.Sprintf("/service-%d", i)},
			"Image":      fmt.Sprintf("registry.example.com/team/app-%d:1.%d.0", i%17, i%5),
			"ImageID":    "sha256:" + id,
			"Command":    "/docker-entrypoint.sh nginx -g 'daemon off;'",
			"Created":    1718000000 + i,
			"Ports":      []port{{PrivatePort: 80, Type: "tcp"}, {IP: "0.0.0.0", PrivatePort: 443, PublicPort: 8443 + i%1000, Type: "tcp"}},
			"Labels":     map[string]string{"com.docker.compose.project": "demo", "com.docker.compose.service": fmt.Sprintf("svc%d", i), "maintainer": "NGINX Docker Maintainers <docker-maint@nginx.com>"},
			"State":      "running",
			"Status":     fmt.Sprintf("Up %d minutes", i%60+1),
			"HostConfig": map[string]any{"NetworkMode": "bridge"},
			"NetworkSettings": map[string]any{"Networks": map[string]any{"bridge": map[string]any{
				"NetworkID": id[:32], "EndpointID": id[32:], "Gateway": "172.17.0.1",
				"IPAddress": fmt.Sprintf("172.17.%d.%d", i/250, i%250+2), "IPPrefixLen": 16, "MacAddress": "02:42:ac:11:00:02",
			}}},
			"Mounts": []any{map[string]any{"Type": "volume", "Name": fmt.Sprintf("data-%d", i), "Destination": "/var/lib/data", "RW": true}},
		})
		if i%4 == 0 {
			images = append(images, map[string]any{"Id": "sha256:" + id, "RepoTags": []string{fmt.Sprintf("app-%d:latest", i)}, "Size": 187654321 + i, "Created": 1717000000 + i})
			volumes = append(volumes, map[string]any{"Name": fmt.Sprintf("data-%d", i), "Driver": "local", "Mountpoint": fmt.Sprintf("/var/lib/docker/volumes/data-%d/_data", i), "Scope": "local"})
		}
		doc["containers"], doc["images"], doc["volumes"] = containers, images, map[string]any{"Volumes": volumes, "Warnings": nil}
		if i%50 == 49 {
			b, err := json.MarshalIndent(doc, "", "  ")
			if err != nil {
				panic(err)
			}
			if len(b) >= size {
				return b
			}
		}
	}
}

func BenchmarkParse(b *testing.B) {
	data := dockerLike(1 << 20)
	s, err := Parse(data)
	if err != nil {
		b.Fatal(err)
	}
	if c, _ := s.Root().Get("containers"); c.Collection() == nil {
		b.Fatal("the container list is not a keyed collection")
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarshalCanonical(b *testing.B) {
	s, err := Parse(dockerLike(1 << 20))
	if err != nil {
		b.Fatal(err)
	}
	out := s.MarshalCanonical()
	b.SetBytes(int64(len(out)))
	b.ReportAllocs()
	for b.Loop() {
		out = AppendCanonical(out[:0], s.Root())
	}
}
