/** What the Kubernetes rules share: workload kinds, pod-spec access and selector matching. */
import { list, StackResource } from "../framework";

export const K8S_WORKLOAD_TYPES = [
    "kubernetes:apps/v1:Deployment",
    "kubernetes:apps/v1:StatefulSet",
    "kubernetes:apps/v1:DaemonSet",
    "kubernetes:apps/v1:ReplicaSet",
    "kubernetes:batch/v1:Job",
    "kubernetes:batch/v1:CronJob",
    "kubernetes:core/v1:Pod",
];
export const LONG_RUNNING = ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:apps/v1:DaemonSet"];
export const CR = "kubernetes:";

/** The pod spec of any workload kind. */
export function podSpecOf(type: string, props: any): any {
    if (type === "kubernetes:core/v1:Pod") return props.spec ?? {};
    if (type === "kubernetes:batch/v1:CronJob") return props.spec?.jobTemplate?.spec?.template?.spec ?? {};
    return props.spec?.template?.spec ?? {};
}
export function podLabelsOf(type: string, props: any): Record<string, string> {
    if (type === "kubernetes:core/v1:Pod") return props.metadata?.labels ?? {};
    if (type === "kubernetes:batch/v1:CronJob") return props.spec?.jobTemplate?.spec?.template?.metadata?.labels ?? {};
    return props.spec?.template?.metadata?.labels ?? {};
}
export function allContainers(pod: any): any[] {
    return [...list<any>(pod.initContainers), ...list<any>(pod.containers), ...list<any>(pod.ephemeralContainers)];
}
export function objName(props: any): string {
    return props.metadata?.name ?? "(unnamed)";
}
/** Runs a per-container check over every container of a workload. */
export function perContainer(check: (c: any, pod: any) => string | undefined) {
    return (props: any, ctx: { type: string }) => {
        const pod = podSpecOf(ctx.type, props);
        return allContainers(pod)
            .map((c) => check(c, pod))
            .filter((m): m is string => !!m);
    };
}

export const pss = (control: string) => ({ "NIST-800-53": ["AC-6", "CM-7"], CIS: [`Kubernetes 5.2 (${control})`] });

export function isCustom(r: StackResource, kind: string): boolean {
    return r.type.startsWith(CR) && r.props?.kind === kind;
}
export function matchesSelector(selector: any, labels: Record<string, string>): boolean {
    const ml = selector?.matchLabels ?? {};
    const exprs = list<any>(selector?.matchExpressions);
    return (
        Object.entries(ml).every(([k, v]) => labels[k] === v) &&
        exprs.every((e) => (e.operator === "In" ? list(e.values).includes(labels[e.key]) : e.operator === "Exists" ? e.key in labels : true))
    );
}
