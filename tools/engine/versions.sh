# Pinned versions of the real engine (sourced by the engine scripts). Change a pin here and the
# next build rebuilds that binary.
PULUMI_CLI_VERSION=3.259.0
K8S_PROVIDER_MODULE=github.com/pulumi/pulumi-kubernetes/provider/v4@v4.0.0-20260115033456-f47bc2d6f199
K8S_PROVIDER_VERSION=4.34.2
RANDOM_PROVIDER_VERSION=4.21.2
YAML_LANGUAGE_VERSION=1.25.0
ENGINE_BIN=${RAGSTACK_ENGINE_BIN:-$(go env GOPATH)/pulumi-engine/bin}
