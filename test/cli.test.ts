/**
 * The plan's command line as a careless or hostile user meets it: every bad input gives exit 2,
 * one clear message naming the flag or key, the value and what is allowed, no stack trace, no
 * output written; output through a real pipe is complete; `--json` always prints one document.
 * Each case runs the real CLI in a child process (`node dist/tools/plan.js`).
 */
import * as assert from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { repoRoot } from "../testing/paths";
import { OUT_MARKER } from "../testing/plan/write";

const PLAN = path.join(repoRoot(), "dist", "tools", "plan.js");

interface Run {
    code: number | null;
    stdout: string;
    stderr: string;
}

/** Runs the CLI with stdout and stderr on real pipes. */
function cli(args: string[], cwd = repoRoot()): Promise<Run> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [PLAN, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, RAGSTACK_PLAN_DEBUG: "" } });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on("data", (b: Buffer) => out.push(b));
        child.stderr.on("data", (b: Buffer) => err.push(b));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }));
    });
}

/** Runs many CLI cases a few at a time. */
async function runAll<T>(items: T[], f: (x: T) => Promise<void>, parallel = 4): Promise<void> {
    const queue = [...items];
    await Promise.all(
        Array.from({ length: parallel }, async () => {
            for (let x = queue.shift(); x !== undefined; x = queue.shift()) await f(x);
        }),
    );
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plan-cli-"));
const file = (name: string, content: string) => {
    const p = path.join(tmp, name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
    return p;
};

// Fixtures: policy configs, folders and a program copy with broken stack files.
const pc = {
    malformed: file("pc/malformed.json", "{ not json"),
    unknownPolicy: file("pc/unknown.json", JSON.stringify({ "aws-rds-instance-require-multi-azz": "mandatory" })),
    badLevel: file("pc/level.json", JSON.stringify({ all: "blocking" })),
    unknownSetting: file("pc/setting.json", JSON.stringify({ "aws-cloudwatch-loggroup-require-retention": { minDayz: 30 } })),
    negative: file("pc/negative.json", JSON.stringify({ "aws-cloudwatch-loggroup-require-retention": { minDays: -5 } })),
    allSetting: file("pc/all.json", JSON.stringify({ all: { enforcementLevel: "mandatory", minDays: 30 } })),
    wrongType: file("pc/type.json", JSON.stringify({ "aws-cloudwatch-loggroup-require-retention": { minDays: "thirty" } })),
    array: file("pc/array.json", "[]"),
    levelObject: file("pc/obj.json", JSON.stringify({ all: 3 })),
};
const foreignDir = path.join(tmp, "foreign");
file("foreign/notes.txt", "keep me");
const foreignSarif = file("reports/foreign.sarif", '{"version":"2.1.0","runs":[]}');
const program = path.join(tmp, "program");
fs.mkdirSync(program);
fs.copyFileSync(path.join(repoRoot(), "Pulumi.yaml"), path.join(program, "Pulumi.yaml"));
fs.writeFileSync(path.join(program, "Pulumi.broken.yaml"), "config:\n  rag-platform:domain: [unclosed\n");
fs.writeFileSync(path.join(program, "Pulumi.typo.yaml"), "config:\n  rag-platform:dbMultiAZ: true\n");
fs.writeFileSync(path.join(program, "Pulumi.list.yaml"), "- a\n- b\n");
fs.writeFileSync(path.join(program, "Pulumi.secret.yaml"), "config:\n  rag-platform:domain:\n    secure: AAABAxyz\n");
fs.writeFileSync(path.join(program, "Pulumi.nstypo.yaml"), "config:\n  rag-platfrom:dbMultiAz: true\n");
fs.writeFileSync(path.join(program, "Pulumi.awstypo.yaml"), "config:\n  aws:regoin: eu-west-1\n");
fs.writeFileSync(path.join(program, "Pulumi.pulumitypo.yaml"), "config:\n  pulumi:disable-default-provider: true\n");
fs.writeFileSync(path.join(program, "Pulumi.section.yaml"), "configuration:\n  rag-platform:dbMultiAz: true\n");
fs.writeFileSync(path.join(program, "Pulumi.empty.yaml"), "config:\n  rag-platform:owner:\n");

const S = ["--stack", "staging"];
const P = ["--stack", "production"];
const K = [...S, "--target", "kubernetes"];
const set = (kv: string) => ["--set", kv];

/** [case, argv, what stderr must say (after "plan: ")] — 80 bad inputs. */
const listJson = path.join(tmp, "list.json");
fs.writeFileSync(listJson, "[1, 2]");
const BAD: [string, string[], RegExp][] = [
    // flags
    ["no arguments", [], /--stack is required/],
    ["unknown flag", [...S, "--bogus"], /unknown flag "--bogus"/],
    ["misspelt flag", ["--stak", "staging"], /unknown flag "--stak"; did you mean "--stack"\?/],
    ["flag without value", ["--stack"], /--stack needs a value/],
    ["value is another flag", ["--stack", "--target", "aws"], /--stack needs a value/],
    ["repeated flag", [...S, "--stack", "production"], /--stack given twice; allowed: once/],
    ["empty stack", ["--stack", ""], /--stack: got ""; allowed: a non-empty value/],
    ["unknown target", [...S, "--target", "gcp"], /--target: got "gcp"; allowed: aws, kubernetes/],
    ["target missing", [...S, "--target"], /--target needs a value/],
    ["value on a switch", [...S, "--json=yes"], /--json takes no value \(got "yes"\)/],
    ["stray argument", ["staging"], /unexpected argument "staging"/],
    [
        "config file that does not exist",
        [...S, "--config-file", "examples/seeds/none/Pulumi.production.yaml"],
        /--config-file: examples\/seeds\/none\/Pulumi.production.yaml is not a file/,
    ],
    ["config file that is a folder", [...S, "--config-file", "examples/seeds"], /--config-file: examples\/seeds is not a file/],
    [
        "config file with --compare",
        [...S, "--compare", "production", "--config-file", "Pulumi.staging.yaml"],
        /--compare cannot be combined with --config-file/,
    ],
    ["--set without value", [...S, "--set"], /--set needs a value/],
    ["--set without =", [...S, ...set("apiMinReplicas")], /--set: got "apiMinReplicas"; allowed: KEY=VALUE/],
    ["--set without key", [...S, ...set("=3")], /--set: got "=3"; allowed: KEY=VALUE/],
    ["--set twice for a key", [...S, ...set("apiMinReplicas=1"), ...set("apiMinReplicas=2")], /--set apiMinReplicas given twice/],
    ["control character in a value", ["--stack", "sta\tging"], /--stack: got "sta\\tging"; allowed: no control characters/],
    ["same path for two reports", [...S, "--sarif", path.join(tmp, "r.out"), "--junit", path.join(tmp, "r.out")], /must name different paths/],
    // stacks and stack files
    ["unknown stack", ["--stack", "qa"], /unknown stack "qa": .*Pulumi\.qa\.yaml does not exist \(stacks here: development, production, staging\)/],
    ["misspelt stack", ["--stack", "stagin"], /unknown stack "stagin".*did you mean "staging"\?/],
    ["stack name with a path", ["--stack", "../../etc/passwd"], /--stack: got "..\/..\/etc\/passwd"; allowed: a stack name/],
    ["stack file not YAML", ["--stack", "broken", "--dir", program], /Pulumi\.broken\.yaml: not a readable YAML stack file/],
    ["stack file not a mapping", ["--stack", "list", "--dir", program], /Pulumi\.list\.yaml: expected a mapping/],
    [
        "unknown key in the stack file",
        ["--stack", "typo", "--dir", program],
        /Pulumi\.typo\.yaml: invalid input\n {2}- rag-platform:dbMultiAZ: got "true"; allowed: a key declared in Pulumi\.yaml; did you mean "rag-platform:dbMultiAz"\?/,
    ],
    ["encrypted value offline", ["--stack", "secret", "--dir", program], /rag-platform:domain is an encrypted value/],
    ["program folder missing", [...S, "--dir", path.join(tmp, "nope")], /--dir: .*nope is not a folder/],
    ["folder without Pulumi.yaml", [...S, "--dir", tmp], /--dir: .* has no Pulumi\.yaml/],
    // --set keys and values
    [
        "unknown key",
        [...S, ...set("nosuchkey=1")],
        /--set nosuchkey: invalid input\n {2}- rag-platform:nosuchkey: got "1"; allowed: a key declared in Pulumi\.yaml\n/,
    ],
    [
        "misspelt key",
        [...S, ...set("dbMultiAZ=true")],
        /rag-platform:dbMultiAZ: got "true"; allowed: a key declared in Pulumi\.yaml; did you mean "rag-platform:dbMultiAz"\?/,
    ],
    ["foreign namespace", [...S, ...set("gcp:project=x")], /--set gcp:project: unknown namespace "gcp"/],
    ["not an integer", [...S, ...set("apiMinReplicas=two")], /rag-platform:apiMinReplicas: got "two"; allowed: an integer/],
    ["min above max", [...S, ...set("apiMinReplicas=9")], /rag-platform:apiMinReplicas \(api\.minReplicas\): got 9; allowed: at most api\.maxReplicas \(3\)/],
    ["negative", [...S, ...set("apiMinReplicas=-1")], /rag-platform:apiMinReplicas \(api\.minReplicas\): got -1; allowed: an integer from 1 to 100/],
    [
        "huge number",
        [...S, ...set("apiMaxReplicas=99999999999999999999")],
        /rag-platform:apiMaxReplicas \(api\.maxReplicas\): got 100000000000000000000; allowed: an integer from 1 to 200/,
    ],
    ["not a number", [...S, ...set("apiCpu=abc")], /rag-platform:apiCpu: got "abc"; allowed: a plain decimal number/],
    ["not a Fargate size", [...S, ...set("apiCpu=3")], /rag-platform:apiCpu \(api\.cpu\): got 3; allowed: one of 0\.25, 0\.5, 1, 2, 4, 8, 16 vCPU/],
    [
        "memory off the Fargate step",
        [...S, ...set("apiMemoryMiB=2500")],
        /rag-platform:apiMemoryMiB \(api\.memoryMiB\): got 2500; allowed: with 1 vCPU on Fargate 2048 to 8192 in steps of 1024/,
    ],
    ["yes is not a boolean", [...S, ...set("dbMultiAz=yes")], /rag-platform:dbMultiAz: got "yes"; allowed: true or false/],
    ["list that is not JSON", [...S, ...set("llmModels=llama3")], /rag-platform:llmModels: got "llama3"; allowed: a list of strings/],
    ["list of numbers", [...S, ...set("llmModels=[1,2]")], /rag-platform:llmModels: got "\[1,2\]"; allowed: a list of strings/],
    [
        "shell in a model name",
        [...S, ...set('llmModels=["llama3; rm -rf /"]')],
        /rag-platform:llmModels \(llm\.models\[0\]\): got "llama3; rm -rf \/"; allowed: an Ollama model name/,
    ],
    [
        "shell in the domain",
        [...S, ...set("domain=rag.example.gov;rm -rf /")],
        /rag-platform:domain \(domain\): got "rag\.example\.gov;rm -rf \/"; allowed: a lower-case DNS name/,
    ],
    ["upper-case domain", [...S, ...set("domain=RAG.Example.gov")], /rag-platform:domain \(domain\): got "RAG\.Example\.gov"/],
    ["unicode domain", [...S, ...set("domain=rag.exämple.gov")], /rag-platform:domain \(domain\): got "rag\.exämple\.gov"; allowed: a lower-case DNS name/],
    ["huge domain", [...S, ...set(`domain=${"a".repeat(250)}.example.gov`)], /rag-platform:domain \(domain\): got "a{250}\.example\.gov"/],
    ["empty required key", [...S, ...set("domain=")], /rag-platform:domain: got nothing \(the field is missing\)/],
    [
        "image latest",
        [...S, ...set("apiImage=ghcr.io/x/api:latest")],
        /rag-platform:apiImage \(api\.image\): got "ghcr\.io\/x\/api:latest"; allowed: an image pinned/,
    ],
    ["image untagged", [...S, ...set("apiImage=ghcr.io/x/api")], /rag-platform:apiImage \(api\.image\): got "ghcr\.io\/x\/api"; allowed: an image pinned/],
    [
        "shell in the image",
        [...S, ...set("apiImage=ghcr.io/x/api:1.0$(whoami)")],
        /rag-platform:apiImage \(api\.image\): got "ghcr\.io\/x\/api:1\.0\$\(whoami\)"/,
    ],
    ["bad name prefix", [...S, ...set("name=Rag!")], /rag-platform:name \(name\): got "Rag!"; allowed: 3-22 characters/],
    [
        "VPC too large",
        [...S, ...set("vpcCidr=10.0.0.0/8")],
        /rag-platform:vpcCidr \(network\.cidr\): got "10\.0\.0\.0\/8"; allowed: an IPv4 CIDR with a prefix from \/16 to \/20/,
    ],
    ["host bits in a CIDR", [...S, ...set("vpcCidr=10.0.0.1/16")], /rag-platform:vpcCidr \(network\.cidr\): got "10\.0\.0\.1\/16"; allowed: an IPv4 CIDR/],
    ["octet above 255", [...S, ...set("vpcCidr=300.0.0.0/16")], /rag-platform:vpcCidr \(network\.cidr\): got "300\.0\.0\.0\/16"/],
    [
        "prefix /33",
        [...S, ...set('allowedIngressCidrs=["0.0.0.0/33"]')],
        /rag-platform:allowedIngressCidrs \(network\.allowedIngressCidrs\[0\]\): got "0\.0\.0\.0\/33"/,
    ],
    [
        "unknown NAT strategy",
        [...S, ...set("natStrategy=double")],
        /rag-platform:natStrategy \(network\.natStrategy\): got "double"; allowed: one of "single", "perAz"/,
    ],
    ["five AZs", [...S, ...set("azCount=5")], /rag-platform:azCount \(network\.azCount\): got 5; allowed: an integer from 2 to 3/],
    [
        "retention CloudWatch refuses",
        [...S, ...set("logRetentionDays=2")],
        /rag-platform:logRetentionDays \(observability\.logRetentionDays\): got 2; allowed: a CloudWatch Logs retention: one of 1, 3, 5/,
    ],
    [
        "backup retention 40",
        [...S, ...set("dbBackupRetentionDays=40")],
        /rag-platform:dbBackupRetentionDays \(database\.backupRetentionDays\): got 40; allowed: an integer from 1 to 35/,
    ],
    [
        "storage ceiling below storage",
        [...S, ...set("dbMaxStorageGiB=40")],
        /rag-platform:dbMaxStorageGiB \(database\.maxStorageGiB\): got 40; allowed: at least 55: RDS storage autoscaling needs a ceiling 10% above database\.storageGiB \(50\)/,
    ],
    [
        "no such RDS size",
        [...S, ...set("dbInstanceClass=db.r6g.3xlarge")],
        /rag-platform:dbInstanceClass \(database\.instanceClass\): got "db\.r6g\.3xlarge"; allowed: an RDS for PostgreSQL instance class/,
    ],
    [
        "no such cache type",
        [...S, ...set("cacheNodeType=cache.x.large")],
        /rag-platform:cacheNodeType \(cache\.nodeType\): got "cache\.x\.large"; allowed: an ElastiCache node type/,
    ],
    [
        "failover without replicas",
        [...S, ...set("cacheAutomaticFailover=true")],
        /rag-platform:cacheReplicas \(cache\.replicas\): got 0; allowed: at least 1 when cache\.automaticFailover is true/,
    ],
    [
        "not a GPU instance",
        [...S, ...set("llmInstanceType=m5.large")],
        /rag-platform:llmInstanceType \(llm\.instanceType\): got "m5\.large"; allowed: a GPU instance type/,
    ],
    [
        "GPU minimum above desired",
        [...S, ...set("llmMinNodes=3")],
        /rag-platform:llmDesiredNodes \(llm\.desiredNodes\): got 1; allowed: between llm\.minNodes \(3\) and llm\.maxNodes \(1\)/,
    ],
    [
        "unknown classification",
        [...S, ...set("dataClassification=secret")],
        /rag-platform:dataClassification \(tags\.dataClassification\): got "secret"; allowed: one of "public", "internal"/,
    ],
    [
        "not an e-mail",
        [...S, ...set('alarmEmails=["not-an-email"]')],
        /rag-platform:alarmEmails \(observability\.alarmEmails\[0\]\): got "not-an-email"; allowed: an e-mail address/,
    ],
    [
        "bad certificate ARN",
        [...S, ...set("certificateArn=arn:bad")],
        /rag-platform:certificateArn \(aws\.certificateArn\): got "arn:bad"; allowed: an ACM certificate ARN/,
    ],
    [
        "lower-case zone id",
        [...S, ...set("hostedZoneId=z123abc")],
        /rag-platform:hostedZoneId \(aws\.hostedZoneId\): got "z123abc"; allowed: a Route 53 hosted zone id/,
    ],
    [
        "backups to the same region",
        [...P, ...set("awsBackupRegion=eu-west-1")],
        /rag-platform:awsBackupRegion \(aws\.backupRegion\): got "eu-west-1"; allowed: a region other than aws\.region/,
    ],
    [
        "namespace prefix not DNS-1123",
        [...K, ...set("k8sNamespacePrefix=Rag_Prod")],
        /rag-platform:k8sNamespacePrefix \(kubernetes\.namespacePrefix\): got "Rag_Prod"; allowed: a DNS label prefix/,
    ],
    [
        "unknown edge mode",
        [...K, ...set("k8sEdgeMode=loadbalancer")],
        /rag-platform:k8sEdgeMode \(kubernetes\.edgeMode\): got "loadbalancer"; allowed: one of "gateway", "ingress"/,
    ],
    [
        "external store without endpoint",
        [...K, ...set("k8sObjectStorageMode=external")],
        /rag-platform:k8sObjectStorageEndpoint \(kubernetes\.objectStorageEndpoint\): got ""; allowed: an https:\/\/ URL/,
    ],
    [
        "registry with a scheme",
        [...K, ...set("k8sImageRegistry=https://registry.local")],
        /rag-platform:k8sImageRegistry \(kubernetes\.imageRegistry\): got "https:\/\/registry\.local"; allowed: empty, or a registry host/,
    ],
    // policy configs
    ["policy config missing", [...S, "--policy-config", "/nonexistent.json"], /--policy-config: cannot read the policy config \/nonexistent\.json: ENOENT/],
    ["policy config is a folder", [...S, "--policy-config", tmp], /--policy-config: cannot read the policy config .*: it is a folder/],
    ["policy config not JSON", [...S, "--policy-config", pc.malformed], /--policy-config: .*malformed\.json is not valid JSON/],
    [
        "unknown policy",
        [...S, "--policy-config", pc.unknownPolicy],
        /unknown policy "aws-rds-instance-require-multi-azz"; did you mean "aws-rds-instance-require-multi-az"\?/,
    ],
    ["unknown level", [...S, "--policy-config", pc.badLevel], /all: enforcement level "blocking" is not one of advisory, mandatory, remediate, disabled/],
    [
        "unknown policy setting",
        [...S, "--policy-config", pc.unknownSetting],
        /aws-cloudwatch-loggroup-require-retention: unknown setting "minDayz"; did you mean "minDays"\?/,
    ],
    [
        "setting of the wrong type",
        [...S, "--policy-config", pc.wrongType],
        /aws-cloudwatch-loggroup-require-retention\.minDays: got "thirty"; allowed: an integer/,
    ],
    ["policy config not an object", [...S, "--policy-config", pc.array], /expected a JSON object of policy name -> level or settings/],
    ["level not a string", [...S, "--policy-config", pc.levelObject], /all: got 3; allowed: a level/],
    // output paths
    [
        "--out an existing file",
        [...S, "--out", "/etc/passwd"],
        /--out: \/etc\/passwd is an existing file; allowed: a new folder, an empty folder, or a folder this command wrote before/,
    ],
    ["--out a folder with other content", [...S, "--out", foreignDir], /--out: .*foreign holds other content \(notes\.txt\)/],
    ["--out below a file", [...S, "--out", "/etc/passwd/plan"], /--out: \/etc\/passwd\/plan is below \/etc\/passwd, which is a file/],
    [
        "--out where nothing can be created",
        [...S, "--out", "/sys/ragstack-plan-test"],
        /--out: cannot create the folder \/sys\/ragstack-plan-test: E(PERM|ACCES|ROFS)/,
    ],
    ["--sarif over a foreign file", [...S, "--sarif", foreignSarif], /--sarif: .*foreign\.sarif is an existing file that this command did not write/],
    ["--junit a folder", [...S, "--junit", tmp], /--junit: .* is a folder; allowed: a new file, or a report this command wrote before/],
    ["--stack-reference without a file", [...S, "--stack-reference", "org/p/s"], /--stack-reference: got "org\/p\/s"; allowed: NAME=FILE/],
    [
        "--stack-reference to no file",
        [...S, "--stack-reference", "org/p/s=/nonexistent/plan.json"],
        /--stack-reference org\/p\/s: cannot read "\/nonexistent\/plan.json" as JSON/,
    ],
    ["--stack-reference to a JSON list", [...S, "--stack-reference", `org/p/s=${listJson}`], /--stack-reference org\/p\/s: .* is not a JSON object/],
    // Issue 25's bad inputs: namespaces and sections of the stack file, empty values, numbers, images, reserved names, targets, policy settings.
    [
        "a typo in the project namespace",
        ["--dir", program, "--stack", "nstypo"],
        /rag-platfrom:dbMultiAz: got "rag-platfrom"; allowed: a namespace something reads: .*did you mean "rag-platform"/,
    ],
    [
        "a typo in a provider key",
        ["--dir", program, "--stack", "awstypo"],
        /aws:regoin: got "regoin"; allowed: a key the aws provider reads; did you mean "aws:region"/,
    ],
    [
        "a typo in an engine key",
        ["--dir", program, "--stack", "pulumitypo"],
        /pulumi:disable-default-provider: got .*did you mean "pulumi:disable-default-providers"/,
    ],
    ["configuration: instead of config:", ["--dir", program, "--stack", "section"], /"configuration:" is not a stack file section; allowed: "config:"/],
    [
        "an empty value in the stack file",
        ["--dir", program, "--stack", "empty"],
        /rag-platform:owner has no value; allowed: a value, or no rag-platform:owner line/,
    ],
    ["an owner AWS cannot tag", [...S, ...set(`owner=${"x".repeat(300)}`)], /tags\.owner\)?: got "x+"; allowed: a team or person name: 1 to 256 letters/],
    ["a cost centre with a character AWS tags refuse", [...S, ...set("costCenter=cc#7001")], /tags\.costCenter\)?: got "cc#7001"/],
    ["a hexadecimal number", [...S, ...set("apiCpu=0x1")], /apiCpu: got "0x1"; allowed: a plain decimal number/],
    ["an overflowing number", [...S, ...set("apiCpu=1e999")], /apiCpu: got "1e999"; allowed: a plain decimal number/],
    ["NaN", [...S, ...set("apiCpu=.nan")], /apiCpu: got "\.nan"; allowed: a plain decimal number/],
    [
        "an upper-case image repository",
        [...S, ...set("apiImage=registry.example.gov/Rag-API:1.0")],
        /api\.image\)?: got "registry\.example\.gov\/Rag-API:1\.0"; allowed: an image reference/,
    ],
    ["an image with a space", [...S, ...set("apiImage=registry.example.gov/rag api:1.0")], /api\.image\)?: got .*allowed: an image reference/],
    ["a truncated digest", [...S, ...set("apiImage=registry.example.gov/rag@sha256:abc123")], /api\.image\)?: got .*allowed: an image reference/],
    ["an image with a scheme", [...S, ...set("apiImage=https://registry.example.gov/rag:1.0")], /api\.image\)?: got .*allowed: an image reference/],
    ["apiEnv overriding PORT", [...S, ...set('apiEnv={"PORT":"9000"}')], /api\.env\.PORT\)?: got "PORT"; allowed: a name the stack does not set itself/],
    ["llmSpot on Kubernetes", [...K, ...set("llmSpot=true")], /llmSpot.*node pools decide Spot capacity/],
    // Nothing silently ignored: a setting the planned target does not use is refused there.
    [
        "tagsExtra on Kubernetes",
        [...K, ...set('tagsExtra={"Team":"rag"}')],
        /tagsExtra \(tags\.extra\): got .*allowed: unset on the kubernetes target \(Kubernetes objects carry the stack's own labels/,
    ],
    [
        "logRetentionDays on Kubernetes",
        [...K, ...set("logRetentionDays=30")],
        /logRetentionDays \(observability\.logRetentionDays\): got "30"; allowed: unset on the kubernetes target/,
    ],
    [
        "a Kubernetes key in an AWS stack file that does not list kubernetes in otherTargets",
        [...S, ...set("otherTargets=[]")],
        /k8sNamespacePrefix \(kubernetes\.namespacePrefix\): got "rag-staging"; allowed: unset on the aws target \(a Kubernetes setting\); if this stack file also serves kubernetes, list it in otherTargets/,
    ],
    [
        "an unknown target in otherTargets",
        [...S, ...set('otherTargets=["azure"]')],
        /rag-platform:otherTargets: got \["azure"\]; allowed: targets, each once: "aws", "kubernetes"/,
    ],
    // Lists refuse duplicates where a duplicate means nothing.
    [
        "a model listed twice",
        [...S, ...set('llmModels=["llama3.1:8b","llama3.1:8b"]')],
        /llm\.models\[1\]\)?: got "llama3\.1:8b"; allowed: a value not already in llm\.models \(each entry once\)/,
    ],
    [
        "a login path listed twice",
        [...S, "--target", "aws", ...set('edgeLoginPaths=["/auth/login","/auth/login"]')],
        /edge\.loginPaths\[1\]\)?: got "\/auth\/login"; allowed: a value not already in edge\.loginPaths/,
    ],
    [
        "a node pool zone listed twice",
        [...K, ...set('k8sNodePools=[{"name":"cpu","count":3,"cpu":4,"memoryGiB":16,"zones":["zone-a","zone-a"]}]')],
        /kubernetes\.nodePools\[0\]\.zones\[1\]\)?: got "zone-a"; allowed: a value not already in/,
    ],
    [
        "two node pools with one name",
        [
            ...K,
            ...set(
                'k8sNodePools=[{"name":"cpu","count":3,"cpu":4,"memoryGiB":16,"zones":["zone-a"]},{"name":"cpu","count":1,"cpu":8,"memoryGiB":32,"gpus":1,"zones":["zone-a"]}]',
            ),
        ],
        /kubernetes\.nodePools\[1\]\.name\)?: got "cpu"; allowed: a name no other pool has/,
    ],
    ["--set target disagreeing with --target", [...S, "--target", "aws", ...set("target=kubernetes")], /--target aws and --set target=kubernetes disagree/],
    [
        "a negative policy setting",
        [...S, "--policy-config", pc.negative],
        /aws-cloudwatch-loggroup-require-retention\.minDays: got -5; allowed: an integer from 1/,
    ],
    ["a setting under all", [...S, "--policy-config", pc.allSetting], /policy config: all: unknown setting "minDays"/],
    // AWS regions: AWS's list and partitions, and a region whose RDS CAs the library lacks (no stack trace).
    ["a region AWS does not have", [...S, "--target", "aws", "--set", "aws:region=eu-west-9"], /aws\.region\)?: got "eu-west-9"; allowed: an AWS region/],
    [
        "a region whose RDS CAs the library lacks",
        [...S, "--target", "aws", "--set", "aws:region=il-central-1"],
        /aws\.region: got "il-central-1"; allowed: .*rag-platform:awsRdsCaBundle/,
    ],
    ["a China region", [...S, "--target", "aws", "--set", "aws:region=cn-north-1"], /got "cn-north-1"; allowed: a region of the aws or aws-us-gov partition/],
    ["WAF country UK", [...S, "--target", "aws", "--set", 'wafAllowedCountries=["UK"]'], /got "UK"; allowed: an ISO 3166-1 alpha-2 country code/],
];

describe(`plan CLI: ${BAD.length} bad inputs, each exit 2 with one clear message`, function () {
    this.timeout(300000);
    const results = new Map<string, Run>();
    before(async () => {
        const snapshot = fs.readFileSync("/etc/passwd", "utf8");
        await runAll(BAD, async ([name, argv]) => void results.set(name, await cli(argv)));
        assert.strictEqual(fs.readFileSync("/etc/passwd", "utf8"), snapshot, "nothing outside the named paths is touched");
    });

    it("has at least 60 cases", () => assert.ok(BAD.length >= 60, `${BAD.length}`));

    for (const [name, argv, expected] of BAD) {
        it(`${name}: ${JSON.stringify(argv.slice(0, 4)).slice(0, 90)}`, () => {
            const r = results.get(name)!;
            assert.strictEqual(r.code, 2, `exit ${r.code}: ${r.stderr}`);
            assert.match(r.stderr, /^plan: /);
            assert.match(r.stderr, expected);
            assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+\)?\n/, "no stack trace");
            assert.strictEqual(r.stdout, "", "no plan output");
        });
    }

    it("wrote nothing: the foreign folder is untouched, no folder was created, the foreign report is intact", () => {
        assert.deepStrictEqual(fs.readdirSync(foreignDir), ["notes.txt"]);
        assert.ok(!fs.existsSync("/etc/passwd/plan") && !fs.existsSync(path.join(tmp, "nope")));
        assert.strictEqual(fs.readFileSync(foreignSarif, "utf8"), '{"version":"2.1.0","runs":[]}');
        assert.ok(!fs.existsSync(path.join(tmp, "r.out")));
    });
});

describe("plan CLI: machine output and pipes", function () {
    this.timeout(300000);

    it("--json prints one complete JSON document through a pipe, for every stack x target (> 64 KiB each)", async () => {
        await runAll(
            [
                ["staging", "aws"],
                ["staging", "kubernetes"],
                ["production", "aws"],
                ["production", "kubernetes"],
            ],
            async ([stack, target]) => {
                const r = await cli(["--stack", stack, "--target", target, "--json"]);
                assert.strictEqual(r.code, 0, r.stderr);
                assert.ok(r.stdout.length > 65536, `${stack}/${target}: ${r.stdout.length} bytes`);
                const doc = JSON.parse(r.stdout);
                assert.strictEqual(doc.resources.length, doc.summary.resources);
            },
            2,
        );
    });

    it("npm run plan's entry point runs the compiled plan at once on an unchanged checkout (no recompiling)", () => {
        const r = spawnSync(process.execPath, [path.join(repoRoot(), "tools", "entry", "plan.js"), "--help"], { cwd: repoRoot(), encoding: "utf8" });
        assert.strictEqual(r.status, 0, r.stderr);
        assert.match(r.stdout, /exit codes: 0 pass/);
        assert.doesNotMatch(r.stderr, /compiling/);
    });

    it("a reader that closes early (--json | head -c 100) ends it quietly, with success", async () => {
        const r = await new Promise<{ code: number | null; stderr: string; got: number }>((resolve, reject) => {
            const child = spawn(process.execPath, [PLAN, "--stack", "production", "--json"], { cwd: repoRoot(), stdio: ["ignore", "pipe", "pipe"] });
            let got = 0;
            const err: Buffer[] = [];
            child.stdout.on("data", (b: Buffer) => {
                got += b.length;
                if (got >= 100) child.stdout.destroy(); // like head -c 100: read, then close the pipe
            });
            child.stderr.on("data", (b: Buffer) => err.push(b));
            child.on("error", reject);
            child.on("close", (code) => resolve({ code, stderr: Buffer.concat(err).toString("utf8"), got }));
        });
        assert.ok(r.got >= 100);
        assert.strictEqual(r.stderr, "", "no EPIPE stack trace");
        assert.strictEqual(r.code, 0);
    });

    it("the summary, --help and errors are complete through a pipe too", async () => {
        const summary = await cli(["--stack", "production"]);
        assert.strictEqual(summary.code, 0);
        assert.match(summary.stdout, /\nResult: PASS \(no mandatory policy violated\)\n$/);
        const help = await cli(["--help"]);
        assert.strictEqual(help.code, 0);
        assert.match(
            help.stdout,
            /exit codes: 0 pass, 1 mandatory policy violated or the stack does not fit its cluster,\n {12}2 bad input, 3 internal error\n$/,
        );
    });

    it("--json errors are one JSON document with the exit code, the message and the issues", async () => {
        for (const argv of [[...S, ...set("nosuchkey=1")], [...S, ...set("logRetentionDays=2")], ["--bogus"], [...S, "--out", "/etc/passwd"]]) {
            const r = await cli([...argv, "--json"]);
            assert.strictEqual(r.code, 2);
            const doc = JSON.parse(r.stdout);
            assert.deepStrictEqual(Object.keys(doc), ["formatVersion", "error"]);
            assert.strictEqual(doc.error.exitCode, 2);
            assert.strictEqual(doc.error.kind, "bad-input");
            assert.ok(r.stderr.includes(doc.error.message));
        }
        const bad = await cli([...S, ...set("logRetentionDays=2"), "--json"]);
        assert.deepStrictEqual(JSON.parse(bad.stdout).error.issues[0].field, "rag-platform:logRetentionDays (observability.logRetentionDays)");
    });

    it("a mandatory violation exits 1, with the JSON document on stdout", async () => {
        const r = await cli([...P, ...set("dbMultiAz=false"), "--json"]);
        assert.strictEqual(r.code, 1);
        assert.strictEqual(JSON.parse(r.stdout).policy.passed, false);
    });

    it("--out can be written again (it replaces only its own files) and refuses anything else", async () => {
        const dir = path.join(tmp, "again");
        const first = await cli([...K, "--out", dir]);
        assert.strictEqual(first.code, 0, first.stderr);
        const marker = JSON.parse(fs.readFileSync(path.join(dir, OUT_MARKER), "utf8"));
        assert.ok(marker.files.includes("plan.json") && marker.files.length > 50);
        // A stale file of the previous run disappears; the folder stays the command's own.
        fs.writeFileSync(path.join(dir, "manifests", "stale.yaml"), "x");
        const second = await cli([...S, "--out", dir]);
        assert.strictEqual(second.code, 2, "an unlisted file makes the folder foreign");
        fs.unlinkSync(path.join(dir, "manifests", "stale.yaml"));
        const third = await cli([...S, "--out", dir]);
        assert.strictEqual(third.code, 0, third.stderr);
        assert.ok(!fs.existsSync(path.join(dir, "manifests")), "the AWS plan removed the previous run's manifests");
        assert.deepStrictEqual(fs.readdirSync(dir).sort(), [OUT_MARKER, "architecture.mmd", "plan.json"]);
    });
});
