/**
 * The Kubernetes rules, one file per concern (pods, identity, services, namespaces, edge, data, apps,
 * network, labels): each rule's metadata sits next to its check. This index lists them in the
 * order the pack registers them.
 */
import { Rule } from "../framework";
import * as apps from "./apps";
import * as data from "./data";
import * as edge from "./edge";
import * as identity from "./identity";
import * as labels from "./labels";
import * as namespaces from "./namespaces";
import * as network from "./network";
import * as pods from "./pods";
import * as services from "./services";

export { K8S_WORKLOAD_TYPES, podSpecOf } from "./common";

export const kubernetesRules: Rule[] = [
    pods.podDisallowPrivileged,
    pods.podDisallowPrivilegeEscalation,
    pods.podRequireRunAsNonRoot,
    pods.podRequireSeccompProfile,
    pods.podRequireDropAllCapabilities,
    pods.podDisallowHostNamespaces,
    pods.podDisallowHostPorts,
    pods.podDisallowHostPathVolumes,
    pods.podRequireReadOnlyRootFilesystem,
    pods.podDisallowTokenAutomount,
    pods.podRequireDedicatedServiceAccount,
    identity.serviceaccountDisallowTokenAutomount,
    identity.roleDisallowWildcards,
    identity.bindingDisallowClusterAdmin,
    services.serviceDisallowExposedDataServices,
    pods.podRequirePinnedImages,
    pods.podRequireImageDigests,
    pods.podRequireDefaultImageDigests,
    pods.podRequireAllowedRegistries,
    pods.podRequireResources,
    pods.podRequireProbes,
    pods.podDisallowLiteralSecrets,
    pods.podRequireVerifiedDatabaseTls,
    namespaces.namespaceRequirePodSecurityRestricted,
    edge.ingressRequireTls,
    edge.listenerRequireTls,
    edge.edgeRequireRateLimit,
    data.clusterRequireTls,
    data.clusterRequireBackups,
    data.clusterRequireInstances,
    data.clusterRequireSynchronousReplication,
    data.cacheRequireTls,
    data.statefulRequireProtect,
    apps.deploymentRequireReplicas,
    apps.deploymentRequirePdb,
    network.networkpolicyRequireWorkloadCoverage,
    network.networkpolicyDisallowSharedNamespaceIngress,
    network.networkpolicyRestrictInternetEgress,
    network.ciliumnetworkpolicyRestrictInternetEgress,
    labels.resourceRequireLabels,
];
