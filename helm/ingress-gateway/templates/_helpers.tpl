{{/* Chart name, overridable. */}}
{{- define "ingress-gateway.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name of the release's resources. Truncated to 63 characters (DNS label limit); the release name alone is used
when it already contains the chart name.
*/}}
{{- define "ingress-gateway.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "ingress-gateway.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every resource. */}}
{{- define "ingress-gateway.labels" -}}
helm.sh/chart: {{ include "ingress-gateway.chart" . }}
{{ include "ingress-gateway.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: controller
{{- end }}

{{/* Labels of the metrics Service: the ServiceMonitor selects it by component, apart from the traffic Service. */}}
{{- define "ingress-gateway.metricsLabels" -}}
helm.sh/chart: {{ include "ingress-gateway.chart" . }}
{{ include "ingress-gateway.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: metrics
{{- end }}

{{/* Labels that select the pods; immutable once a Deployment exists. */}}
{{- define "ingress-gateway.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ingress-gateway.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "ingress-gateway.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "ingress-gateway.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "ingress-gateway.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* IngressClass name the controller serves. */}}
{{- define "ingress-gateway.ingressClassName" -}}
{{- default .Values.ingressClass.name .Values.config.ingressClass }}
{{- end }}

{{- define "ingress-gateway.leaseName" -}}
{{- default (printf "%s-leader" (include "ingress-gateway.fullname" .)) .Values.config.status.leaseName | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Service whose address is published into Ingress status: this release's own Service unless overridden. */}}
{{- define "ingress-gateway.publishService" -}}
{{- default (printf "%s/%s" .Release.Namespace (include "ingress-gateway.fullname" .)) .Values.config.status.publishService }}
{{- end }}

{{/* Whether the Service type routes external traffic through node ports (externalTrafficPolicy, nodePort apply). */}}
{{- define "ingress-gateway.externalService" -}}
{{- if or (eq .Values.service.type "LoadBalancer") (eq .Values.service.type "NodePort") }}true{{ end }}
{{- end }}

{{/*
Seconds between the pod's deletion and SIGKILL: the preStop sleep, the drain and the in-flight wait run one after the
other inside it, plus a margin for the JVM to stop. An explicit value shorter than their sum would kill requests
the gateway is still finishing, so it is refused.
*/}}
{{- define "ingress-gateway.terminationGracePeriodSeconds" -}}
{{- $shutdown := .Values.shutdown }}
{{- $needed := add $shutdown.preStopSleepSeconds $shutdown.drainPeriodSeconds $shutdown.inFlightTimeoutSeconds }}
{{- $explicit := .Values.terminationGracePeriodSeconds }}
{{- if or (kindIs "invalid" $explicit) (eq (toString $explicit) "") }}
{{- add $needed 15 }}
{{- else if lt (int64 $explicit) (int64 $needed) }}
{{- fail (printf "terminationGracePeriodSeconds (%v) is shorter than shutdown.preStopSleepSeconds + drainPeriodSeconds + inFlightTimeoutSeconds (%v): the kubelet would kill requests still in flight" $explicit $needed) }}
{{- else }}
{{- int64 $explicit }}
{{- end }}
{{- end }}

{{/* DNS policy: in the node's network namespace the default policy would lose cluster Service names. */}}
{{- define "ingress-gateway.dnsPolicy" -}}
{{- if .Values.dnsPolicy }}
{{- .Values.dnsPolicy }}
{{- else if .Values.hostNetwork }}
{{- "ClusterFirstWithHostNet" }}
{{- end }}
{{- end }}

{{/*
Container lifecycle: a native preStop sleep (no shell in the image) so that the pod's removal from the endpoints
propagates before SIGTERM; hooks given in .Values.lifecycle replace the chart's of the same name.
*/}}
{{- define "ingress-gateway.lifecycle" -}}
{{- $lifecycle := dict }}
{{- $sleep := int .Values.shutdown.preStopSleepSeconds }}
{{- if gt $sleep 0 }}
{{- $_ := set $lifecycle "preStop" (dict "sleep" (dict "seconds" $sleep)) }}
{{- end }}
{{- range $hook, $handler := .Values.lifecycle }}
{{- $_ := set $lifecycle $hook $handler }}
{{- end }}
{{- if $lifecycle }}
{{- toYaml $lifecycle }}
{{- end }}
{{- end }}

{{/*
The application's configuration file. Generated settings come first; config.extra is deep-merged over them so an
operator can override anything.
*/}}
{{- define "ingress-gateway.applicationConfig" -}}
{{- $status := dict
      "publish-address" .Values.config.status.publishAddress
      "publish-service" (include "ingress-gateway.publishService" .)
      "lease-name" (include "ingress-gateway.leaseName" .)
      "lease-namespace" .Release.Namespace
      "identity" "${POD_NAME:}" }}
{{- $gateway := dict
      "source" "kubernetes"
      "ingress-class" (include "ingress-gateway.ingressClassName" .)
      "controller-name" .Values.config.controllerName
      "watch-namespaces" (.Values.config.watchNamespaces | default list)
      "default-backend-precedence" .Values.config.defaultBackendPrecedence
      "host-ownership" (.Values.config.hostOwnership | default list)
      "status" $status
      "listener" (dict "public-port" .Values.service.ports.http)
      "tls" (dict "port" .Values.containerPorts.https "default-certificate" .Values.config.tls.defaultCertificate
                  "redirect-port" .Values.service.ports.https)
      "external-name-services" (dict
          "enabled" .Values.config.externalNameServices.enabled
          "denied-cidrs" (.Values.config.externalNameServices.deniedCidrs | default list)
          "allowed-cidrs" (.Values.config.externalNameServices.allowedCidrs | default list)) }}
{{- with .Values.config.rateLimits }}
{{- $_ := set $gateway "rate-limits" (dict "limit-req-status-code" .limitReqStatusCode
      "limit-conn-status-code" .limitConnStatusCode "max-client-states" .maxClientStates) }}
{{- end }}
{{- $_ := set $gateway "ops" (dict "ingresses-detail" .Values.management.ingressesDetail) }}
{{- $_ := set $gateway "shutdown" (dict "drain-period" (printf "%ds" (int .Values.shutdown.drainPeriodSeconds))) }}
{{- $_ := set $gateway "access-log" (dict "format" (toString .Values.accessLog.format)) }}
{{- with .Values.config.clientAddress }}
{{- $_ := set $gateway "client-address" (dict
      "use-proxy-protocol" .useProxyProtocol
      "use-forwarded-headers" .useForwardedHeaders
      "forwarded-for-header" .forwardedForHeader
      "compute-full-forwarded-for" .computeFullForwardedFor
      "proxy-real-ip-cidr" (.proxyRealIpCidr | default list)) }}
{{- end }}
{{- with .Values.config.sourceRanges }}
{{- $_ := set $gateway "source-ranges" (dict "allowlist" (.allowlist | default list)
      "denylist" (.denylist | default list)) }}
{{- end }}
{{- with .Values.config.globalRateLimit }}
{{- $_ := set $gateway "global-rate-limit" (dict
      "redis" (dict "url" .redis.url "operation-timeout" .redis.operationTimeout)
      "failure-mode" .failureMode
      "status-code" .statusCode) }}
{{- end }}
{{- $managementServer := dict "port" .Values.containerPorts.management }}
{{- with .Values.management.address }}
{{- $_ := set $managementServer "address" . }}
{{- end }}
{{- $management := dict
      "server" $managementServer
      "endpoint" (dict "health" (dict "show-details" .Values.management.healthDetails))
      "endpoints" (dict "web" (dict "exposure" (dict "include" (join "," .Values.management.exposure)))) }}
{{- $generated := dict
      "ingress-gateway" $gateway
      "server" (dict "port" .Values.containerPorts.http)
      "spring" (dict "lifecycle" (dict "timeout-per-shutdown-phase"
          (printf "%ds" (int .Values.shutdown.inFlightTimeoutSeconds))))
      "management" $management }}
{{- $merged := mergeOverwrite $generated (deepCopy (.Values.config.extra | default dict)) }}
{{- toYaml $merged }}
{{- end }}

{{/*
RBAC rules on the namespaced kinds, verb by verb what the controller calls: its informers list and watch Ingresses,
Services, EndpointSlices and Secrets (of type kubernetes.io/tls, by field selector); the status writer updates
(PUT) ingresses/status; diagnostics are created as Events. Granted cluster-wide, or in each watched namespace.
*/}}
{{- define "ingress-gateway.namespacedRules" -}}
- apiGroups: ["networking.k8s.io"]
  resources: ["ingresses"]
  verbs: ["list", "watch"]
- apiGroups: ["networking.k8s.io"]
  resources: ["ingresses/status"]
  verbs: ["update"]
- apiGroups: [""]
  resources: ["services"]
  verbs: ["list", "watch"]
# Secrets: TLS ones for spec.tls (listed and watched with the field selector type=kubernetes.io/tls), and each
# Secret an Ingress annotation names (auth-secret, auth-tls-secret, proxy-ssl-secret), listed and watched by name
# (field selector metadata.name) as long as an Ingress names it. Never get: nothing else is read or kept.
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["list", "watch"]
# ConfigMaps: only those an Ingress names in custom-headers, each listed and watched by name (field selector
# metadata.name) while an Ingress names it; no other ConfigMap is requested.
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["list", "watch"]
- apiGroups: ["discovery.k8s.io"]
  resources: ["endpointslices"]
  verbs: ["list", "watch"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
{{- end }}

{{/*
Prometheus Operator scraping: refuses what would scrape nothing or everything twice, since both mistakes would go
unnoticed until a dashboard stays empty or doubles.
*/}}
{{- define "ingress-gateway.checkScrapable" -}}
{{- if and .Values.metrics.serviceMonitor.enabled .Values.metrics.podMonitor.enabled }}
{{- fail "metrics.serviceMonitor.enabled and metrics.podMonitor.enabled: enable one, both would scrape every pod twice" }}
{{- end }}
{{- if not (has "prometheus" .Values.management.exposure) }}
{{- fail "metrics.serviceMonitor/podMonitor need prometheus in management.exposure" }}
{{- end }}
{{- end }}

{{/* The scrape settings a ServiceMonitor endpoint and a PodMonitor endpoint share. */}}
{{- define "ingress-gateway.scrapeEndpoint" -}}
path: /actuator/prometheus
scheme: http
{{- /* The request series carry the Ingress's own namespace, ingress and service labels (as ingress-nginx's do):
       without honorLabels Prometheus would rename them exported_* after the scrape target's, and the dashboard's
       queries would find nothing. */}}
honorLabels: true
interval: {{ .interval }}
{{- with .scrapeTimeout }}
scrapeTimeout: {{ . }}
{{- end }}
{{- with .relabelings }}
relabelings:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .metricRelabelings }}
metricRelabelings:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
