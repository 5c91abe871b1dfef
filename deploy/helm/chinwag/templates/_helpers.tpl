{{/* Names and labels. */}}
{{- define "chinwag.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 55 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 55 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "chinwag.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "chinwag.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: server
{{- end -}}

{{- define "chinwag.redisSelectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: redis
{{- end -}}

{{- define "chinwag.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "chinwag.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "chinwag.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* The size preset (presets.yaml) as YAML; fails on an unknown size. */}}
{{- define "chinwag.preset" -}}
{{- $all := (.Files.Get "presets.yaml" | fromYaml).presets -}}
{{- if not (hasKey $all .Values.size) -}}
{{- fail (printf "size %q is not a preset: %s" .Values.size (keys $all | sortAlpha | join ", ")) -}}
{{- end -}}
{{- index $all .Values.size | toYaml -}}
{{- end -}}

{{- define "chinwag.replicas" -}}
{{- $p := include "chinwag.preset" . | fromYaml -}}
{{- if kindIs "invalid" .Values.replicas }}{{ $p.replicas }}{{ else }}{{ .Values.replicas }}{{ end -}}
{{- end -}}

{{- define "chinwag.maxReplicas" -}}
{{- $p := include "chinwag.preset" . | fromYaml -}}
{{- $min := include "chinwag.replicas" . | int -}}
{{- $max := .Values.autoscaling.maxReplicas | default $p.maxReplicas | int -}}
{{- max $min $max -}}
{{- end -}}

{{- define "chinwag.resources" -}}
{{- $p := include "chinwag.preset" . | fromYaml -}}
{{- if .Values.resources -}}
{{- toYaml .Values.resources -}}
{{- else -}}
requests:
  cpu: {{ $p.requests.cpu }}
  memory: {{ $p.requests.memory }}
limits:
  cpu: {{ $p.limits.cpu }}
  memory: {{ $p.limits.memory }}
{{- end -}}
{{- end -}}

{{- define "chinwag.siteUrl" -}}
{{- if .Values.siteUrl -}}
{{- .Values.siteUrl -}}
{{- else if .Values.ingress.enabled -}}
{{- printf "%s://%s" (ternary "https" "http" .Values.ingress.tls.enabled) .Values.ingress.host -}}
{{- end -}}
{{- end -}}

{{- define "chinwag.databaseSecret" -}}
{{- default (printf "%s-database" (include "chinwag.fullname" .)) .Values.database.existingSecret -}}
{{- end -}}

{{- define "chinwag.s3Secret" -}}
{{- default (printf "%s-s3" (include "chinwag.fullname" .)) .Values.fileStore.s3.existingSecret -}}
{{- end -}}

{{/* Checks that fail the render with a readable message. */}}
{{- define "chinwag.validate" -}}
{{- if not (has .Values.database.kind (list "postgres" "mysql")) -}}
{{- fail (printf "database.kind must be postgres or mysql, not %q" .Values.database.kind) -}}
{{- end -}}
{{- if and (not .Values.database.dataSource) (not .Values.database.existingSecret) -}}
{{- fail "set database.dataSource or database.existingSecret" -}}
{{- end -}}
{{- if and (not .Values.redis.bundled) (not .Values.redis.url) (not .Values.redis.existingSecret) -}}
{{- fail "with redis.bundled=false, set redis.url or redis.existingSecret" -}}
{{- end -}}
{{- if not (has .Values.fileStore.kind (list "s3" "local")) -}}
{{- fail (printf "fileStore.kind must be s3 or local, not %q" .Values.fileStore.kind) -}}
{{- end -}}
{{- if and (eq .Values.fileStore.kind "s3") (not .Values.fileStore.s3.bucket) -}}
{{- fail "fileStore.s3.bucket is required with fileStore.kind=s3" -}}
{{- end -}}
{{- if and (eq .Values.fileStore.kind "local") (gt (include "chinwag.maxReplicas" . | int) 1) (not .Values.fileStore.local.existingClaim) -}}
{{- fail "fileStore.kind=local with more than one pod needs fileStore.local.existingClaim (a ReadWriteMany volume)" -}}
{{- end -}}
{{- end -}}

{{/* The MM_* environment shared by the server and the migration Job. */}}
{{- define "chinwag.env" -}}
{{- $p := include "chinwag.preset" . | fromYaml -}}
- name: MM_CONFIG
  value: /chinwag/config/config.json
- name: MM_SERVICESETTINGS_LISTENADDRESS
  value: ":8065"
{{- with include "chinwag.siteUrl" . }}
- name: MM_SERVICESETTINGS_SITEURL
  value: {{ . | quote }}
{{- end }}
- name: MM_SERVICESETTINGS_WORKERCOUNT
  value: "1"
- name: MM_SQLSETTINGS_DRIVERNAME
  value: {{ .Values.database.kind | quote }}
- name: MM_SQLSETTINGS_DATASOURCE
  valueFrom:
    secretKeyRef:
      name: {{ include "chinwag.databaseSecret" . }}
      key: {{ ternary .Values.database.existingSecretKey "MM_SQLSETTINGS_DATASOURCE" (ne .Values.database.existingSecret "") }}
- name: MM_SQLSETTINGS_MAXOPENCONNS
  value: {{ .Values.database.maxOpenConns | default $p.maxOpenConns | quote }}
- name: MM_SQLSETTINGS_MAXIDLECONNS
  value: {{ .Values.database.maxIdleConns | default $p.maxIdleConns | quote }}
- name: MM_REDISSETTINGS_ENABLE
  value: "true"
{{- if .Values.redis.bundled }}
- name: MM_REDISSETTINGS_URL
  value: {{ printf "redis://%s-redis:6379/0" (include "chinwag.fullname" .) | quote }}
{{- else if .Values.redis.existingSecret }}
- name: MM_REDISSETTINGS_URL
  valueFrom:
    secretKeyRef:
      name: {{ .Values.redis.existingSecret }}
      key: {{ .Values.redis.existingSecretKey }}
{{- else }}
- name: MM_REDISSETTINGS_URL
  value: {{ .Values.redis.url | quote }}
{{- end }}
- name: MM_WEBSOCKETSETTINGS_MAXRETAINEDEVENTS
  value: {{ .Values.redis.maxRetainedEvents | quote }}
- name: MM_CLUSTERSETTINGS_ENABLE
  value: "true"
- name: MM_CLUSTERSETTINGS_CLUSTERNAME
  value: {{ include "chinwag.fullname" . | quote }}
{{- if eq .Values.fileStore.kind "s3" }}
{{- $s3 := .Values.fileStore.s3 }}
- name: MM_FILESETTINGS_DRIVERNAME
  value: amazons3
- name: MM_FILESETTINGS_AMAZONS3BUCKET
  value: {{ $s3.bucket | quote }}
- name: MM_FILESETTINGS_AMAZONS3ENDPOINT
  value: {{ $s3.endpoint | quote }}
- name: MM_FILESETTINGS_AMAZONS3REGION
  value: {{ $s3.region | quote }}
- name: MM_FILESETTINGS_AMAZONS3PATHPREFIX
  value: {{ $s3.pathPrefix | quote }}
- name: MM_FILESETTINGS_AMAZONS3SSL
  value: {{ $s3.ssl | quote }}
- name: MM_FILESETTINGS_AMAZONS3SIGNV2
  value: {{ $s3.signV2 | quote }}
- name: MM_FILESETTINGS_AMAZONS3SSE
  value: {{ $s3.sse | quote }}
{{- if or $s3.existingSecret $s3.accessKeyId }}
- name: MM_FILESETTINGS_AMAZONS3ACCESSKEYID
  valueFrom:
    secretKeyRef:
      name: {{ include "chinwag.s3Secret" . }}
      key: MM_FILESETTINGS_AMAZONS3ACCESSKEYID
- name: MM_FILESETTINGS_AMAZONS3SECRETACCESSKEY
  valueFrom:
    secretKeyRef:
      name: {{ include "chinwag.s3Secret" . }}
      key: MM_FILESETTINGS_AMAZONS3SECRETACCESSKEY
{{- end }}
{{- else }}
- name: MM_FILESETTINGS_DRIVERNAME
  value: local
- name: MM_FILESETTINGS_DIRECTORY
  value: /chinwag/data/files
{{- end }}
- name: MM_LOGSETTINGS_FILELOCATION
  value: /chinwag/logs
- name: MM_LOGSETTINGS_CONSOLEJSON
  value: "true"
- name: MM_METRICSSETTINGS_ENABLE
  value: {{ .Values.metrics.enabled | quote }}
- name: MM_METRICSSETTINGS_LISTENADDRESS
  value: {{ printf ":%v" .Values.metrics.port | quote }}
{{- range $name, $value := .Values.env }}
- name: {{ $name }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- end -}}

{{/* The writable places of the read-only image. */}}
{{- define "chinwag.volumeMounts" -}}
- name: config
  mountPath: /chinwag/config
- name: data
  mountPath: /chinwag/data
- name: logs
  mountPath: /chinwag/logs
- name: tmp
  mountPath: /tmp
{{- end -}}

{{- define "chinwag.volumes" -}}
- name: config
  emptyDir: {}
- name: data
{{- if and (eq .Values.fileStore.kind "local") .Values.fileStore.local.existingClaim }}
  persistentVolumeClaim:
    claimName: {{ .Values.fileStore.local.existingClaim }}
{{- else }}
  emptyDir: {}
{{- end }}
- name: logs
  emptyDir: {}
- name: tmp
  emptyDir: {}
{{- end -}}
