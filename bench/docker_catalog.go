package bench

// The catalogue of services the Docker simulator deploys. Images, commands,
// ports, mounts and image labels are those of the real public images (as
// `docker image inspect` shows them), so container payloads carry the same
// strings a real host's would.

type dPortTpl struct {
	priv  int
	pub   int // 0: exposed only
	proto string
}

type dMountTpl struct {
	volume string // named volume suffix (project_<volume>), "" for a bind mount
	src    string // bind source; may hold {proj}
	dst    string
	rw     bool
	prop   string
}

type svcTpl struct {
	svc      string
	repo     string   // for custom images: path below the project's registry
	tags     []string // version history, oldest first; the last is deployed
	custom   bool     // built by the project's CI: registry.<...>/<project>/<repo>
	floating bool     // redeploys re-pull the same tag (the old image turns dangling)
	cmd      string
	ports    []dPortTpl
	health   bool
	mounts   []dMountTpl
	labels   []kv // image labels, inherited by the container
	size     int64
	restart  string
	scale    int     // max replicas on a large host
	flaky    float64 // crash probability per poll while running
}

type stackTpl struct {
	name string
	svcs []svcTpl
}

var (
	promLabels  = []kv{{"maintainer", "The Prometheus Authors <prometheus-developers@googlegroups.com>"}}
	nginxLabels = []kv{{"maintainer", "NGINX Docker Maintainers <docker-maint@nginx.com>"}}
)

var stackCatalog = []stackTpl{
	{name: "shop", svcs: []svcTpl{
		{svc: "web", repo: "nginx", tags: []string{"1.25.2-alpine", "1.25.3-alpine"}, cmd: "/docker-entrypoint.sh nginx -g 'daemon off;'",
			ports: []dPortTpl{{80, 8080, "tcp"}}, mounts: []dMountTpl{{src: "/opt/stacks/{proj}/nginx/default.conf", dst: "/etc/nginx/conf.d/default.conf"}},
			labels: nginxLabels, size: 42617844, restart: "unless-stopped", scale: 2},
		{svc: "api", repo: "api", custom: true, tags: []string{"1.14.0", "1.14.1", "1.14.2"}, cmd: "docker-entrypoint.sh node dist/server.js",
			ports: []dPortTpl{{3000, 0, "tcp"}}, health: true, size: 287340112, restart: "unless-stopped", scale: 4, flaky: 0.002},
		{svc: "worker", repo: "api", custom: true, tags: []string{"1.14.0", "1.14.1", "1.14.2"}, cmd: "docker-entrypoint.sh node dist/worker.js",
			size: 287340112, restart: "unless-stopped", scale: 6, flaky: 0.02},
		{svc: "db", repo: "postgres", tags: []string{"16.0", "16.1"}, cmd: "docker-entrypoint.sh postgres", ports: []dPortTpl{{5432, 0, "tcp"}}, health: true,
			mounts: []dMountTpl{{volume: "pgdata", dst: "/var/lib/postgresql/data", rw: true}}, size: 425467651, restart: "unless-stopped", scale: 1},
		{svc: "cache", repo: "redis", tags: []string{"7.2.3-alpine"}, cmd: "docker-entrypoint.sh redis-server --appendonly yes", ports: []dPortTpl{{6379, 0, "tcp"}}, health: true,
			mounts: []dMountTpl{{volume: "redis", dst: "/data", rw: true}}, size: 40974712, restart: "unless-stopped", scale: 1},
	}},
	{name: "monitoring", svcs: []svcTpl{
		{svc: "prometheus", repo: "prom/prometheus", tags: []string{"v2.48.0", "v2.48.1"}, cmd: "/bin/prometheus --config.file=/etc/prometheus/prometheus.yml --storage.tsdb.path=/prometheus --storage.tsdb.retention.time=15d --web.enable-lifecycle",
			ports: []dPortTpl{{9090, 9090, "tcp"}}, mounts: []dMountTpl{{src: "/opt/stacks/{proj}/prometheus.yml", dst: "/etc/prometheus/prometheus.yml"}, {volume: "prometheus", dst: "/prometheus", rw: true}},
			labels: promLabels, size: 245219932, restart: "unless-stopped", scale: 1},
		{svc: "grafana", repo: "grafana/grafana", tags: []string{"10.2.2", "10.2.3"}, cmd: "/run.sh", ports: []dPortTpl{{3000, 3000, "tcp"}},
			mounts: []dMountTpl{{volume: "grafana", dst: "/var/lib/grafana", rw: true}}, size: 396981127, restart: "unless-stopped", scale: 1},
		{svc: "node-exporter", repo: "prom/node-exporter", tags: []string{"v1.7.0"}, cmd: "/bin/node_exporter --path.rootfs=/host", ports: []dPortTpl{{9100, 0, "tcp"}},
			mounts: []dMountTpl{{src: "/", dst: "/host", prop: "rslave"}}, labels: promLabels, size: 22724530, restart: "unless-stopped", scale: 1},
		{svc: "cadvisor", repo: "gcr.io/cadvisor/cadvisor", tags: []string{"v0.47.2"}, cmd: "/usr/bin/cadvisor -logtostderr", ports: []dPortTpl{{8080, 0, "tcp"}}, health: true,
			mounts: []dMountTpl{{src: "/", dst: "/rootfs"}, {src: "/var/run", dst: "/var/run", rw: true}, {src: "/sys", dst: "/sys"}, {src: "/var/lib/docker/", dst: "/var/lib/docker"}},
			size:   86864401, restart: "unless-stopped", scale: 1},
		{svc: "alertmanager", repo: "prom/alertmanager", tags: []string{"v0.26.0"}, cmd: "/bin/alertmanager --config.file=/etc/alertmanager/alertmanager.yml --storage.path=/alertmanager",
			ports: []dPortTpl{{9093, 0, "tcp"}}, mounts: []dMountTpl{{volume: "alertmanager", dst: "/alertmanager", rw: true}}, labels: promLabels, size: 67493612, restart: "unless-stopped", scale: 1},
	}},
	{name: "wordpress", svcs: []svcTpl{
		{svc: "wordpress", repo: "wordpress", tags: []string{"6.4.1-apache", "6.4.2-apache"}, cmd: "docker-entrypoint.sh apache2-foreground", ports: []dPortTpl{{80, 8081, "tcp"}},
			mounts: []dMountTpl{{volume: "wordpress", dst: "/var/www/html", rw: true}}, size: 739283914, restart: "always", scale: 2},
		{svc: "db", repo: "mariadb", tags: []string{"11.2.2"}, cmd: "docker-entrypoint.sh mariadbd", ports: []dPortTpl{{3306, 0, "tcp"}}, health: true,
			mounts: []dMountTpl{{volume: "db", dst: "/var/lib/mysql", rw: true}},
			labels: []kv{{"org.opencontainers.image.authors", "MariaDB Community"}, {"org.opencontainers.image.base.name", "docker.io/library/ubuntu:jammy"}, {"org.opencontainers.image.description", "MariaDB Database for relational SQL"}, {"org.opencontainers.image.documentation", "https://hub.docker.com/_/mariadb/"}, {"org.opencontainers.image.licenses", "GPL-2.0"}, {"org.opencontainers.image.source", "https://github.com/MariaDB/mariadb-docker"}, {"org.opencontainers.image.title", "MariaDB Database"}, {"org.opencontainers.image.url", "https://github.com/MariaDB/mariadb-docker"}, {"org.opencontainers.image.vendor", "MariaDB Community"}, {"org.opencontainers.image.version", "11.2.2"}},
			size:   403817621, restart: "always", scale: 1},
	}},
	{name: "gitea", svcs: []svcTpl{
		{svc: "server", repo: "gitea/gitea", tags: []string{"1.21.2", "1.21.3"}, cmd: "/usr/bin/entrypoint /bin/s6-svscan /etc/s6", ports: []dPortTpl{{22, 2222, "tcp"}, {3000, 3001, "tcp"}},
			mounts: []dMountTpl{{volume: "data", dst: "/data", rw: true}, {src: "/etc/timezone", dst: "/etc/timezone"}, {src: "/etc/localtime", dst: "/etc/localtime"}},
			labels: []kv{{"maintainer", "maintainers@gitea.io"}, {"org.opencontainers.image.created", "2023-12-21T04:18:40Z"}, {"org.opencontainers.image.revision", "4f1ad7a2e49dc9bb3ec5d00a4f86f8d0dd9d6d43"}, {"org.opencontainers.image.source", "https://github.com/go-gitea/gitea.git"}, {"org.opencontainers.image.url", "https://github.com/go-gitea/gitea"}},
			size:   255841092, restart: "always", scale: 1},
		{svc: "db", repo: "postgres", tags: []string{"16.1"}, cmd: "docker-entrypoint.sh postgres", ports: []dPortTpl{{5432, 0, "tcp"}}, health: true,
			mounts: []dMountTpl{{volume: "postgres", dst: "/var/lib/postgresql/data", rw: true}}, size: 425467651, restart: "always", scale: 1},
	}},
	{name: "nextcloud", svcs: []svcTpl{
		{svc: "app", repo: "nextcloud", tags: []string{"28.0.0-apache", "28.0.1-apache"}, cmd: "/entrypoint.sh apache2-foreground", ports: []dPortTpl{{80, 8082, "tcp"}},
			mounts: []dMountTpl{{volume: "nextcloud", dst: "/var/www/html", rw: true}}, size: 1274395012, restart: "always", scale: 1},
		{svc: "cron", repo: "nextcloud", tags: []string{"28.0.0-apache", "28.0.1-apache"}, cmd: "/cron.sh",
			mounts: []dMountTpl{{volume: "nextcloud", dst: "/var/www/html", rw: true}}, size: 1274395012, restart: "always", scale: 1},
		{svc: "db", repo: "mariadb", tags: []string{"11.2.2"}, cmd: "docker-entrypoint.sh --transaction-isolation=READ-COMMITTED --log-bin=binlog --binlog-format=ROW", ports: []dPortTpl{{3306, 0, "tcp"}}, health: true,
			mounts: []dMountTpl{{volume: "db", dst: "/var/lib/mysql", rw: true}}, size: 403817621, restart: "always", scale: 1},
		{svc: "redis", repo: "redis", tags: []string{"7.2.3-alpine"}, cmd: "docker-entrypoint.sh redis-server", ports: []dPortTpl{{6379, 0, "tcp"}},
			size: 40974712, restart: "always", scale: 1},
	}},
	{name: "iot", svcs: []svcTpl{
		{svc: "mosquitto", repo: "eclipse-mosquitto", tags: []string{"2.0.18"}, cmd: "/docker-entrypoint.sh /usr/sbin/mosquitto -c /mosquitto/config/mosquitto.conf", ports: []dPortTpl{{1883, 1883, "tcp"}, {9001, 0, "tcp"}},
			mounts: []dMountTpl{{src: "/opt/stacks/{proj}/mosquitto", dst: "/mosquitto/config"}, {volume: "mosquitto", dst: "/mosquitto/data", rw: true}},
			labels: []kv{{"description", "Eclipse Mosquitto MQTT Broker"}, {"maintainer", "Roger Light <roger@atchoo.org>"}}, size: 12340231, restart: "unless-stopped", scale: 1},
		{svc: "nodered", repo: "nodered/node-red", tags: []string{"3.1.2", "3.1.3"}, cmd: "./entrypoint.sh", ports: []dPortTpl{{1880, 1880, "tcp"}}, health: true,
			mounts: []dMountTpl{{volume: "nodered", dst: "/data", rw: true}},
			labels: []kv{{"org.label-schema.arch", "amd64"}, {"org.label-schema.build-date", "2023-12-13T16:11:02Z"}, {"org.label-schema.description", "Low-code programming for event-driven applications."}, {"org.label-schema.docker.dockerfile", ".docker/Dockerfile.alpine"}, {"org.label-schema.license", "Apache-2.0"}, {"org.label-schema.name", "Node-RED"}, {"org.label-schema.url", "https://nodered.org"}, {"org.label-schema.vcs-type", "Git"}, {"org.label-schema.vcs-url", "https://github.com/node-red/node-red-docker"}, {"org.label-schema.version", "3.1.3"}},
			size:   556320114, restart: "unless-stopped", scale: 1, flaky: 0.003},
		{svc: "influxdb", repo: "influxdb", tags: []string{"2.7.4"}, cmd: "/entrypoint.sh influxd", ports: []dPortTpl{{8086, 8086, "tcp"}},
			mounts: []dMountTpl{{volume: "influxdb", dst: "/var/lib/influxdb2", rw: true}}, size: 379204550, restart: "unless-stopped", scale: 1},
		{svc: "telegraf", repo: "telegraf", tags: []string{"1.29.1"}, cmd: "/entrypoint.sh telegraf", ports: []dPortTpl{{8092, 0, "udp"}, {8094, 0, "tcp"}, {8125, 0, "udp"}},
			mounts: []dMountTpl{{src: "/opt/stacks/{proj}/telegraf.conf", dst: "/etc/telegraf/telegraf.conf"}, {src: "/var/run/docker.sock", dst: "/var/run/docker.sock", rw: true}},
			size:   395134817, restart: "unless-stopped", scale: 1},
	}},
	{name: "logging", svcs: []svcTpl{
		{svc: "elasticsearch", repo: "docker.elastic.co/elasticsearch/elasticsearch", tags: []string{"8.11.3"}, cmd: "/bin/tini -- /usr/local/bin/docker-entrypoint.sh eswrapper", ports: []dPortTpl{{9200, 9200, "tcp"}, {9300, 0, "tcp"}}, health: true,
			mounts: []dMountTpl{{volume: "esdata", dst: "/usr/share/elasticsearch/data", rw: true}},
			labels: []kv{{"org.label-schema.build-date", "2023-12-08T10:06:54.672652742Z"}, {"org.label-schema.license", "Elastic-License-2.0"}, {"org.label-schema.name", "Elasticsearch"}, {"org.label-schema.schema-version", "1.0"}, {"org.label-schema.url", "https://www.elastic.co/products/elasticsearch"}, {"org.label-schema.usage", "https://www.elastic.co/guide/en/elasticsearch/reference/index.html"}, {"org.label-schema.vcs-ref", "64cf052f3b56b1fd4449f5454cb88aca7e739d9a"}, {"org.label-schema.vcs-url", "https://github.com/elastic/elasticsearch"}, {"org.label-schema.vendor", "Elastic"}, {"org.label-schema.version", "8.11.3"}, {"org.opencontainers.image.created", "2023-12-08T10:06:54.672652742Z"}, {"org.opencontainers.image.documentation", "https://www.elastic.co/guide/en/elasticsearch/reference/index.html"}, {"org.opencontainers.image.licenses", "Elastic-License-2.0"}, {"org.opencontainers.image.revision", "64cf052f3b56b1fd4449f5454cb88aca7e739d9a"}, {"org.opencontainers.image.source", "https://github.com/elastic/elasticsearch"}, {"org.opencontainers.image.title", "Elasticsearch"}, {"org.opencontainers.image.url", "https://www.elastic.co/products/elasticsearch"}, {"org.opencontainers.image.vendor", "Elastic"}, {"org.opencontainers.image.version", "8.11.3"}},
			size:   1416390114, restart: "unless-stopped", scale: 1},
		{svc: "kibana", repo: "docker.elastic.co/kibana/kibana", tags: []string{"8.11.3"}, cmd: "/bin/tini -- /usr/local/bin/kibana-docker", ports: []dPortTpl{{5601, 5601, "tcp"}}, health: true,
			size: 1052883012, restart: "unless-stopped", scale: 1},
		{svc: "fluent-bit", repo: "fluent/fluent-bit", tags: []string{"2.2.0", "2.2.1"}, cmd: "/fluent-bit/bin/fluent-bit -c /fluent-bit/etc/fluent-bit.conf", ports: []dPortTpl{{2020, 0, "tcp"}, {24224, 24224, "tcp"}},
			mounts: []dMountTpl{{src: "/opt/stacks/{proj}/fluent-bit.conf", dst: "/fluent-bit/etc/fluent-bit.conf"}, {src: "/var/lib/docker/containers", dst: "/var/lib/docker/containers"}},
			size:   92713446, restart: "unless-stopped", scale: 1},
	}},
	{name: "proxy", svcs: []svcTpl{
		{svc: "traefik", repo: "traefik", tags: []string{"v2.10.6", "v2.10.7"}, cmd: "/entrypoint.sh --providers.docker=true --providers.docker.exposedbydefault=false --entrypoints.web.address=:80 --entrypoints.websecure.address=:443 --ping=true",
			ports: []dPortTpl{{80, 80, "tcp"}, {443, 443, "tcp"}, {8080, 0, "tcp"}}, health: true,
			mounts: []dMountTpl{{src: "/var/run/docker.sock", dst: "/var/run/docker.sock"}, {volume: "letsencrypt", dst: "/letsencrypt", rw: true}},
			labels: []kv{{"org.opencontainers.image.description", "A modern reverse-proxy"}, {"org.opencontainers.image.documentation", "https://docs.traefik.io"}, {"org.opencontainers.image.source", "https://github.com/traefik/traefik"}, {"org.opencontainers.image.title", "Traefik"}, {"org.opencontainers.image.url", "https://traefik.io"}, {"org.opencontainers.image.vendor", "Traefik Labs"}, {"org.opencontainers.image.version", "v2.10.7"}},
			size:   152376218, restart: "always", scale: 1},
	}},
	{name: "storage", svcs: []svcTpl{
		{svc: "minio", repo: "minio/minio", tags: []string{"RELEASE.2023-12-14T18-51-57Z", "RELEASE.2023-12-23T07-19-11Z"}, floating: false, cmd: "/usr/bin/docker-entrypoint.sh server /data --console-address :9001",
			ports: []dPortTpl{{9000, 9000, "tcp"}, {9001, 9001, "tcp"}}, health: true, mounts: []dMountTpl{{volume: "minio", dst: "/data", rw: true}},
			labels: []kv{{"architecture", "x86_64"}, {"build-date", "2023-12-07T14:41:22"}, {"com.redhat.component", "ubi9-micro-container"}, {"com.redhat.license_terms", "https://www.redhat.com/en/about/red-hat-end-user-license-agreements#UBI"}, {"description", "MinIO object storage is fundamentally different. Designed for performance and the S3 API, it is 100% open-source."}, {"io.k8s.description", "Very small image which doesn't install the package manager."}, {"maintainer", "MinIO Inc <dev@min.io>"}, {"name", "MinIO"}, {"release", "RELEASE.2023-12-23T07-19-11Z"}, {"summary", "MinIO is a High Performance Object Storage, API compatible with Amazon S3 cloud storage service."}, {"vendor", "MinIO Inc <dev@min.io>"}, {"version", "RELEASE.2023-12-23T07-19-11Z"}},
			size:   149865300, restart: "unless-stopped", scale: 1},
	}},
	{name: "queue", svcs: []svcTpl{
		{svc: "rabbitmq", repo: "rabbitmq", tags: []string{"3.12.10-management", "3.12.11-management"}, cmd: "docker-entrypoint.sh rabbitmq-server",
			ports: []dPortTpl{{4369, 0, "tcp"}, {5671, 0, "tcp"}, {5672, 5672, "tcp"}, {15671, 0, "tcp"}, {15672, 15672, "tcp"}, {15691, 0, "tcp"}, {15692, 0, "tcp"}, {25672, 0, "tcp"}}, health: true,
			mounts: []dMountTpl{{volume: "rabbitmq", dst: "/var/lib/rabbitmq", rw: true}}, size: 252614532, restart: "unless-stopped", scale: 1},
		{svc: "consumer", repo: "consumer", custom: true, floating: true, tags: []string{"main"}, cmd: "python -m consumer --queue events",
			size: 187422310, restart: "unless-stopped", scale: 5, flaky: 0.003},
	}},
}

// Containers outside any compose project that most managed hosts run.
var standaloneCatalog = []svcTpl{
	{svc: "portainer_agent", repo: "portainer/agent", tags: []string{"2.19.3", "2.19.4"}, cmd: "./agent", ports: []dPortTpl{{9001, 9001, "tcp"}},
		mounts: []dMountTpl{{src: "/var/run/docker.sock", dst: "/var/run/docker.sock", rw: true}, {src: "/var/lib/docker/volumes", dst: "/var/lib/docker/volumes", rw: true}},
		size:   167337488, restart: "always"},
	{svc: "watchtower", repo: "containrrr/watchtower", tags: []string{"1.7.1"}, cmd: "/watchtower --cleanup --interval 300", ports: []dPortTpl{{8080, 0, "tcp"}},
		mounts: []dMountTpl{{src: "/var/run/docker.sock", dst: "/var/run/docker.sock", rw: true}},
		labels: []kv{{"com.centurylinklabs.watchtower", "true"}},
		size:   14729216, restart: "unless-stopped"},
}

// One-off jobs: `docker compose run` or cron-driven `docker run --rm`.
var jobCatalog = []svcTpl{
	{svc: "backup", repo: "postgres", tags: []string{"16.1"}, cmd: "docker-entrypoint.sh sh -c 'pg_dumpall -h db -U postgres | gzip > /backup/dump.sql.gz'",
		mounts: []dMountTpl{{src: "/srv/backup", dst: "/backup", rw: true}}, size: 425467651, restart: "no"},
	{svc: "certbot", repo: "certbot/certbot", tags: []string{"v2.8.0"}, cmd: "certbot renew --quiet", mounts: []dMountTpl{{src: "/etc/letsencrypt", dst: "/etc/letsencrypt", rw: true}},
		labels: []kv{{"org.opencontainers.image.source", "https://github.com/certbot/certbot"}}, size: 120113408, restart: "no"},
	{svc: "rsync", repo: "alpine", tags: []string{"3.19"}, cmd: "sh -c 'apk add --no-cache rsync && rsync -a /data/ /mirror/'",
		mounts: []dMountTpl{{src: "/srv/data", dst: "/data"}, {src: "/mnt/mirror", dst: "/mirror", rw: true}}, size: 7377120, restart: "no"},
}

var projectSuffixes = []string{"staging", "dev", "qa", "eu", "us", "asia", "demo", "test", "preview", "canary", "internal", "legacy", "blue", "green", "lab", "ops"}

var dockerAdjectives = []string{"admiring", "brave", "clever", "dreamy", "eager", "focused", "gifted", "hopeful", "jolly", "keen", "loving", "nifty", "quirky", "serene", "tender", "vibrant", "wizardly", "zealous"}
var dockerNames = []string{"albattani", "bohr", "curie", "darwin", "einstein", "fermi", "galileo", "hopper", "joliot", "kepler", "lovelace", "meitner", "newton", "pasteur", "ritchie", "shannon", "turing", "wozniak"}
