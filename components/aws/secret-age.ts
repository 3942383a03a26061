import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsRunbookAnchor, runbookLink } from "../core/facts";
import { typeToken } from "../core/naming";
import { Validator } from "../core/validation";
import { assumeRolePolicy, AwsCommonArgs, AwsContext, policyDocument } from "./common";
import { checkLogRetention, defaultsFor } from "../settings";

/** CloudWatch namespace and metric the secret-age check publishes (one datapoint per secret and run). */
export const SECRET_AGE_METRIC = { namespace: "RagStack/Secrets", name: "SecretAgeDays" } as const;

/** How often the check runs; the alarm's one-day period sees four datapoints of each secret. */
export const SECRET_AGE_SCHEDULE = "rate(6 hours)";

/**
 * The check (Python 3.12, boto3 from the Lambda runtime): for each secret of the event, the age in
 * days of its `AWSCURRENT` version, that is of its value, whatever rotated it (RDS, a `pulumi up`
 * with a new `secretsRotatedOn`, a person). Metadata changes (tags, description) do not reset it.
 * A secret it cannot read publishes nothing, so its alarm (missing data breaching) fires.
 */
export const SECRET_AGE_HANDLER = `import datetime
import boto3

secretsmanager = boto3.client("secretsmanager")
cloudwatch = boto3.client("cloudwatch")


def current_version_created(secret_id):
    kwargs = {"SecretId": secret_id}
    while True:
        page = secretsmanager.list_secret_version_ids(**kwargs)
        for version in page.get("Versions", []):
            if "AWSCURRENT" in version.get("VersionStages", []):
                return version["CreatedDate"]
        if not page.get("NextToken"):
            raise LookupError("no AWSCURRENT version of " + secret_id)
        kwargs["NextToken"] = page["NextToken"]


def handler(event, context):
    now = datetime.datetime.now(datetime.timezone.utc)
    failed = []
    for name, secret_id in sorted(event["secrets"].items()):
        try:
            age = (now - current_version_created(secret_id)).total_seconds() / 86400
        except Exception as error:  # one unreadable secret must not hide the others' ages
            print("cannot read the age of %s: %s" % (name, error))
            failed.append(name)
            continue
        print("%s: %.1f days" % (name, age))
        cloudwatch.put_metric_data(
            Namespace="${SECRET_AGE_METRIC.namespace}",
            MetricData=[{
                "MetricName": "${SECRET_AGE_METRIC.name}",
                "Dimensions": [{"Name": "Stack", "Value": event["stack"]}, {"Name": "Secret", "Value": name}],
                "Value": round(age, 2),
                "Unit": "None",
            }],
        )
    if failed:
        raise RuntimeError("secret age unknown for: " + ", ".join(failed))
    return {"checked": len(event["secrets"])}
`;

export interface SecretAgeCheckArgs extends AwsCommonArgs {
    /** Secrets to watch: a short name (alarm and metric dimension: lower-case letters, digits, '-') → ARN. */
    secretArns: Record<string, pulumi.Input<string>>;
    /** Age in days at which a secret alarms (7..400). @default 180 staging, 90 production */
    maxAgeDays?: number;
    /** SNS topic the alarms go to (alarm and OK). */
    alarmTopicArn: pulumi.Input<string>;
    /** KMS key of the function's log group. */
    logsKeyArn: pulumi.Input<string>;
    /** Days the function's logs are kept. @default 90 */
    logRetentionDays?: number;
}

/**
 * The age of secrets, watched: a scheduled Lambda function publishes the age of each secret's
 * current value (`RagStack/Secrets` `SecretAgeDays`), and one alarm per secret fires when it
 * passes `maxAgeDays` or when no age came in a day (missing data breaches: the check itself
 * failed). Least privilege: the function lists the versions of exactly these secrets (it never
 * reads a value), writes its own log group and puts metrics only in its namespace. It runs outside
 * the VPC (AWS APIs only, no inbound path), one run at a time.
 */
export class SecretAgeCheck extends pulumi.ComponentResource {
    /** Name of the scheduled function. */
    readonly functionName: pulumi.Output<string>;
    /** Names of the alarms, one per secret. */
    readonly alarmNames: pulumi.Output<string>[];

    constructor(name: string, args: SecretAgeCheckArgs, opts?: pulumi.ComponentResourceOptions) {
        const v = new Validator(`SecretAgeCheck ${name}`);
        const maxAgeDays = args.maxAgeDays ?? defaultsFor(args.environment).secrets.maxAgeDays;
        v.int("maxAgeDays", maxAgeDays, 7, 400);
        checkLogRetention(v, "logRetentionDays", args.logRetentionDays ?? 90);
        const keys = Object.keys(args.secretArns ?? {});
        if (keys.length === 0) v.fail("secretArns", args.secretArns, "at least one secret: { name: arn }");
        for (const key of keys) v.matches(`secretArns.${key}`, key, /^[a-z][a-z0-9-]{0,40}$/, "a short name: lower-case letters, digits and '-'");
        v.throwIfAny();
        super(typeToken("aws", "SecretAgeCheck"), name, {}, opts);
        const ctx = new AwsContext(name, args, this);

        const fn = this.createFunction(ctx, args);
        this.alarmNames = keys.map(
            (secret) =>
                new aws.cloudwatch.MetricAlarm(
                    ctx.childName(secret),
                    {
                        name: ctx.physical(`secret-age-${secret}`, 255),
                        alarmDescription: `Secret ${secret} has not been rotated for more than ${maxAgeDays} days, or its age is unknown. Runbook: ${runbookLink(awsRunbookAnchor(`secret-age-${secret}`))}`,
                        namespace: SECRET_AGE_METRIC.namespace,
                        metricName: SECRET_AGE_METRIC.name,
                        dimensions: { Stack: ctx.prefix, Secret: secret },
                        statistic: "Maximum",
                        period: 86400,
                        evaluationPeriods: 1,
                        threshold: maxAgeDays,
                        comparisonOperator: "GreaterThanThreshold",
                        treatMissingData: "breaching",
                        alarmActions: [args.alarmTopicArn],
                        okActions: [args.alarmTopicArn],
                        tags: ctx.tags(`secret-age-${secret}`),
                    },
                    ctx.opts(),
                ).name,
        );
        this.functionName = fn.name;
        this.registerOutputs({ functionName: this.functionName });
    }

    /** The function, its role, its log group and its schedule. */
    private createFunction(ctx: AwsContext, args: SecretAgeCheckArgs): aws.lambda.Function {
        const opts = ctx.opts();
        const functionName = ctx.physical("secret-age", 64);
        const logGroup = new aws.cloudwatch.LogGroup(
            ctx.childName("logs"),
            { name: `/aws/lambda/${functionName}`, retentionInDays: args.logRetentionDays ?? 90, kmsKeyId: args.logsKeyArn, tags: ctx.tags("secret-age") },
            opts,
        );
        const role = new aws.iam.Role(
            ctx.childName("role"),
            {
                // Lambda passes no source account or ARN when it assumes the role; a condition on them would deny it.
                assumeRolePolicy: assumeRolePolicy("lambda.amazonaws.com"),
                description: "Secret-age check: lists the versions of the stack's secrets, publishes their age",
                tags: ctx.tags("secret-age"),
            },
            opts,
        );
        new aws.iam.RolePolicy(
            ctx.childName("role"),
            {
                role: role.id,
                policy: policyDocument([
                    { Sid: "SecretVersions", Effect: "Allow", Action: ["secretsmanager:ListSecretVersionIds"], Resource: Object.values(args.secretArns) },
                    {
                        Sid: "AgeMetric",
                        Effect: "Allow",
                        Action: ["cloudwatch:PutMetricData"],
                        Resource: "*",
                        Condition: { StringEquals: { "cloudwatch:namespace": SECRET_AGE_METRIC.namespace } },
                    },
                    { Sid: "OwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: pulumi.interpolate`${logGroup.arn}:*` },
                ]),
            },
            opts,
        );
        const fn = new aws.lambda.Function(
            ctx.childName("function"),
            {
                name: functionName,
                description: "Publishes the age of the stack's secrets (RagStack/Secrets SecretAgeDays)",
                runtime: "python3.12",
                architectures: ["arm64"],
                handler: "index.handler",
                code: new pulumi.asset.AssetArchive({ "index.py": new pulumi.asset.StringAsset(SECRET_AGE_HANDLER) }),
                role: role.arn,
                timeout: 60,
                memorySize: 128,
                // No reserved concurrency: Lambda refuses a reservation that leaves the account less than
                // 100 unreserved, and new accounts start with a concurrency limit as low as 10. The
                // function runs from one schedule, a few times a day.
                // https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
                loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
                tags: ctx.tags("secret-age"),
            },
            { ...opts, dependsOn: [logGroup] },
        );
        const schedule = new aws.cloudwatch.EventRule(
            ctx.childName("schedule"),
            { name: functionName, description: "Runs the secret-age check", scheduleExpression: SECRET_AGE_SCHEDULE, tags: ctx.tags("secret-age") },
            opts,
        );
        new aws.lambda.Permission(
            ctx.childName("invoke"),
            { action: "lambda:InvokeFunction", function: fn.name, principal: "events.amazonaws.com", sourceArn: schedule.arn },
            opts,
        );
        new aws.cloudwatch.EventTarget(
            ctx.childName("target"),
            { rule: schedule.name, arn: fn.arn, input: pulumi.jsonStringify({ stack: ctx.prefix, secrets: args.secretArns }) },
            opts,
        );
        return fn;
    }
}
