/** Safe delivery: how a new API version reaches users, how a bad one is rolled back, and the snapshot before a deploy. */
import { defineTier, StackIdentity } from "./tier";

/** How ECS replaces the API's tasks on a new task definition. */
export const API_DEPLOYMENT_STRATEGIES = ["rolling", "blueGreen"] as const;
export type ApiDeploymentStrategy = (typeof API_DEPLOYMENT_STRATEGIES)[number];

/** Safe delivery of the API and of the data under it. */
export interface DeliverySettings {
    /**
     * How ECS deploys a new API version (AWS). `blueGreen`: ECS's native blue/green strategy (the
     * ECS deployment controller, no CodeDeploy): the new tasks start in a second target group, get
     * test traffic on the ALB's test listener (port 8443, from inside the VPC only), take the
     * production traffic in one shift, and the old tasks stay for `bakeMinutes` so that a
     * deployment alarm (5xx rate, p95 latency) rolls back by shifting the traffic back.
     * `rolling`: tasks are replaced in place (the circuit breaker and the same alarms still roll
     * back). Both keep the ECS deployment controller: switching is an in-place update of the
     * service, never a replacement. @default "rolling" staging, "blueGreen" production
     */
    apiStrategy: ApiDeploymentStrategy;
    /** Minutes the old (blue) tasks are kept after the production traffic shifted, while the deployment alarms can still roll back (AWS, blueGreen). @default 10 */
    bakeMinutes: number;
    /** Seconds a rollout of the API may go without progress before its Deployment reports `ProgressDeadlineExceeded` (Kubernetes; alerted, then `tools/rollback.sh`). @default 600 */
    progressDeadlineSeconds: number;
    /**
     * Take a database snapshot before every deploy (`tools/pre-deploy-snapshot.sh`, run by the CI
     * templates before `pulumi up`): a manual RDS snapshot (AWS) or a CloudNativePG `Backup`
     * (Kubernetes), named after the stack and the commit. @default false staging, true production
     */
    preDeploySnapshot: boolean;
    /** Days a pre-deploy snapshot is kept: the script deletes its own older ones (tagged/labelled `ragstack:pre-deploy`) after taking a new one. @default 14 */
    preDeploySnapshotRetentionDays: number;
}

type DeliveryView = StackIdentity & { delivery: DeliverySettings };

export const deliveryTier = defineTier<DeliverySettings, DeliveryView>({
    path: "delivery",
    title: "Safe delivery (blue/green, rollback, pre-deploy snapshot)",
    settings: {
        apiStrategy: {
            key: "apiDeploymentStrategy",
            type: "string",
            description: "How ECS deploys a new API version: rolling, or blueGreen (ECS native blue/green with a test listener and alarm rollback).",
            staging: "rolling",
            production: "blueGreen",
            targets: ["aws"],
            unused: "the API is a Deployment rolled out with a progress deadline (k8sApiProgressDeadlineSeconds) and rolled back by tools/rollback.sh",
            check: (v, f, x) => v.oneOf(f, x, API_DEPLOYMENT_STRATEGIES),
        },
        bakeMinutes: {
            key: "apiBlueGreenBakeMinutes",
            type: "integer",
            description: "Minutes the old API tasks stay after the traffic shifted, while the deployment alarms can roll back (blueGreen).",
            staging: 10,
            targets: ["aws"],
            unused: "a Deployment keeps its old ReplicaSet (revisionHistoryLimit) and tools/rollback.sh returns to it",
            // ECS: BakeTimeInMinutes 0..1440.
            check: (v, f, x) => v.int(f, x, 0, 1440),
        },
        progressDeadlineSeconds: {
            key: "k8sApiProgressDeadlineSeconds",
            type: "integer",
            description: "Seconds an API rollout may make no progress before the Deployment reports ProgressDeadlineExceeded (alerted; tools/rollback.sh).",
            staging: 600,
            targets: ["kubernetes"],
            unused: "ECS fails a deployment by its circuit breaker and deployment alarms (apiDeploymentStrategy)",
            check: (v, f, x) => v.int(f, x, 30, 7200),
        },
        preDeploySnapshot: {
            key: "preDeploySnapshot",
            type: "boolean",
            description: "Snapshot the database before every deploy (tools/pre-deploy-snapshot.sh, run by the CI templates before pulumi up).",
            staging: false,
            production: true,
            check: (v, f, x) => v.bool(f, x),
        },
        preDeploySnapshotRetentionDays: {
            key: "preDeploySnapshotRetentionDays",
            type: "integer",
            description: "Days a pre-deploy snapshot is kept; the script deletes its own older ones after taking a new one.",
            staging: 14,
            check: (v, f, x) => v.int(f, x, 1, 3650),
        },
    },
});
