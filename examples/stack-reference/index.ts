/**
 * Another team's stack attaching to a RAG stack it does not own: a nightly reporting job that
 * reads the RAG database. It takes the VPC, the database's security group, the keys and the alarm
 * topic from the RAG stack's `attachments` output (a StackReference, checked by
 * `readAttachments`), and asks nothing of that stack but one config change: add the job's
 * security group to its `awsDataTierClientSecurityGroupIds`.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { core } from "@ragstack/pulumi-rag-platform";

const config = new pulumi.Config();
const rag = new pulumi.StackReference(config.require("ragStack"));
const attach = core.readAttachments(rag, "aws");
const tags = core.awsTags({
    name: "reporting",
    environment: "production",
    tags: { owner: "reporting-team", costCenter: "cc-7002", dataClassification: "confidential", extra: {} },
});

// In the RAG stack's VPC: PostgreSQL of that stack, HTTPS to its endpoints and S3, nothing else.
const sg = new aws.ec2.SecurityGroup("reporting", {
    vpcId: attach.vpcId,
    description: "Reporting job: reads the RAG database",
    tags: { ...tags, Name: "reporting-job" },
});
new aws.vpc.SecurityGroupEgressRule("reporting-to-db", {
    securityGroupId: sg.id,
    referencedSecurityGroupId: attach.securityGroups.database,
    ipProtocol: "tcp",
    fromPort: 5432,
    toPort: 5432,
    description: "PostgreSQL of the RAG stack",
});
new aws.vpc.SecurityGroupEgressRule("reporting-endpoints", {
    securityGroupId: sg.id,
    cidrIpv4: attach.vpcCidr,
    ipProtocol: "tcp",
    fromPort: 443,
    toPort: 443,
    description: "HTTPS to the VPC's interface endpoints",
});
new aws.vpc.SecurityGroupEgressRule("reporting-s3", {
    securityGroupId: sg.id,
    prefixListId: attach.s3PrefixListId,
    ipProtocol: "tcp",
    fromPort: 443,
    toPort: 443,
    description: "HTTPS to S3 through the gateway endpoint",
});

// Its logs under the RAG stack's logs key; its failures to the RAG stack's alarm topic.
const logs = new aws.cloudwatch.LogGroup("reporting", { name: "/reporting/job", retentionInDays: 365, kmsKeyId: attach.logsKeyArn, tags });
new aws.cloudwatch.LogMetricFilter("reporting-errors", {
    logGroupName: logs.name,
    pattern: '"ERROR"',
    metricTransformation: { name: "ReportingErrors", namespace: "Reporting", value: "1", defaultValue: "0" },
});
new aws.cloudwatch.MetricAlarm("reporting-errors", {
    alarmDescription: "The reporting job logged errors",
    namespace: "Reporting",
    metricName: "ReportingErrors",
    statistic: "Sum",
    period: 3600,
    evaluationPeriods: 1,
    threshold: 0,
    comparisonOperator: "GreaterThanThreshold",
    treatMissingData: "notBreaching",
    alarmActions: [attach.alarmTopicArn],
    tags,
});

/** Add to the RAG stack's awsDataTierClientSecurityGroupIds so that PostgreSQL admits the job. */
export const securityGroupId = sg.id;
/** Where the job runs: the RAG stack's private subnets, in its cluster. */
export const subnetIds = attach.privateSubnetIds;
export const ecsClusterArn = attach.ecsClusterArn;
