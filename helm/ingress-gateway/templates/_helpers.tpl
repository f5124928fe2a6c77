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
