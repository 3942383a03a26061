/**
 * A local Kubernetes control plane for checks, from binaries built by tools/cluster/build.sh:
 * etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok (simulated nodes and Pod
 * lifecycles). Everything listens on 127.0.0.1 only, with a CA, serving certificate, service
 * account keys and an admin token generated per run; every process is killed by its own PID when
 * the control plane stops or this process exits. Nothing is faked: admission, quota, scheduling,
 * controllers and the API are the real ones; only kubelets are simulated (kwok).
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";

/** The folder the cluster binaries are in (tools/cluster/versions.sh). */
export function clusterBin(): string {
    if (process.env.RAGSTACK_CLUSTER_BIN) return process.env.RAGSTACK_CLUSTER_BIN;
    const gopath = spawnSync("go", ["env", "GOPATH"], { encoding: "utf8" }).stdout.trim() || path.join(os.homedir(), "go");
    return path.join(gopath, "k8s-local", "bin");
}

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.unref();
        s.on("error", reject);
        s.listen(0, "127.0.0.1", () => {
            const port = (s.address() as net.AddressInfo).port;
            s.close(() => resolve(port));
        });
    });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `probe` returns true, at most `timeoutMs`; throws naming what it waited for. */
export async function waitFor(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 60_000, everyMs = 500): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
        try {
            if (await probe()) return;
        } catch {
            // not yet
        }
        if (Date.now() > until) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
        await sleep(everyMs);
    }
}

interface Managed {
    name: string;
    child: ChildProcess;
    log: string;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
    if (exitHookInstalled) return;
    exitHookInstalled = true;
    const killAll = () => {
        for (const c of running)
            if (c.pid)
                try {
                    process.kill(c.pid, "SIGKILL");
                } catch {
                    // gone
                }
    };
    process.on("exit", killAll);
    for (const sig of ["SIGINT", "SIGTERM"] as const)
        process.on(sig, () => {
            killAll();
            process.exit(130);
        });
}

export interface NodeSpec {
    name: string;
    cpu: string;
    memory: string;
    ephemeralStorage?: string;
    gpus?: number;
    labels?: Record<string, string>;
    taints?: { key: string; value?: string; effect: string }[];
    zone: string;
}

/** A running local control plane. */
/**
 * An object as `kubectl get -o json` prints it. Its shape depends on the kind and the server
 * version; the checks read the fields they assert on, and a missing field fails the assertion.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type KubeObject = any;

export class ControlPlane {
    readonly dir: string;
    readonly kubeconfig: string;
    readonly bin = clusterBin();
    private procs: Managed[] = [];
    private ports = { etcdClient: 0, etcdPeer: 0, apiserver: 0 };
    private token = crypto.randomBytes(24).toString("hex");

    private constructor(dir: string) {
        this.dir = dir;
        this.kubeconfig = path.join(dir, "admin.kubeconfig");
    }

    /** Generates the PKI and starts etcd and the API server (the controllers with `startControllers`). */
    static async start(dir = fs.mkdtempSync(path.join(os.tmpdir(), "ragstack-cluster-"))): Promise<ControlPlane> {
        installExitHook();
        const cp = new ControlPlane(dir);
        cp.ports = { etcdClient: await freePort(), etcdPeer: await freePort(), apiserver: await freePort() };
        cp.pki();
        await cp.startEtcd();
        await cp.startApiServer();
        return cp;
    }

    private pki(): void {
        const d = (f: string) => path.join(this.dir, f);
        const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: this.dir, stdio: "pipe" });
        ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", d("ca.key"), "-out", d("ca.crt"), "-days", "2", "-subj", "/CN=ragstack-local-ca");
        fs.writeFileSync(d("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n");
        ssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", d("apiserver.key"), "-out", d("apiserver.csr"), "-subj", "/CN=kube-apiserver");
        ssl(
            "x509",
            "-req",
            "-in",
            d("apiserver.csr"),
            "-CA",
            d("ca.crt"),
            "-CAkey",
            d("ca.key"),
            "-CAcreateserial",
            "-out",
            d("apiserver.crt"),
            "-days",
            "2",
            "-extfile",
            d("san.ext"),
        );
        ssl("genrsa", "-out", d("sa.key"), "2048");
        ssl("rsa", "-in", d("sa.key"), "-pubout", "-out", d("sa.pub"));
        fs.writeFileSync(d("tokens.csv"), `${this.token},admin,admin,system:masters\n`, { mode: 0o600 });
        this.writeKubeconfig();
    }

    private writeKubeconfig(): void {
        const config = {
            apiVersion: "v1",
            kind: "Config",
            clusters: [
                {
                    name: "local",
                    cluster: { server: this.server, "certificate-authority-data": fs.readFileSync(path.join(this.dir, "ca.crt")).toString("base64") },
                },
            ],
            users: [{ name: "admin", user: { token: this.token } }],
            contexts: [{ name: "local", context: { cluster: "local", user: "admin" } }],
            "current-context": "local",
        };
        fs.writeFileSync(this.kubeconfig, YAML.stringify(config), { mode: 0o600 });
    }

    get server(): string {
        return `https://127.0.0.1:${this.ports.apiserver}`;
    }

    private spawn(name: string, binary: string, args: string[]): Managed {
        const log = path.join(this.dir, `${name}.log`);
        const out = fs.openSync(log, "a");
        const child = spawn(path.join(this.bin, binary), args, { stdio: ["ignore", out, out], detached: false });
        fs.closeSync(out);
        running.add(child);
        child.on("exit", () => running.delete(child));
        const m = { name, child, log };
        this.procs.push(m);
        return m;
    }

    private async startEtcd(): Promise<void> {
        const { etcdClient: c, etcdPeer: p } = this.ports;
        this.spawn("etcd", "etcd", [
            "--name=local",
            `--data-dir=${path.join(this.dir, "etcd")}`,
            `--listen-client-urls=http://127.0.0.1:${c}`,
            `--advertise-client-urls=http://127.0.0.1:${c}`,
            `--listen-peer-urls=http://127.0.0.1:${p}`,
            `--initial-advertise-peer-urls=http://127.0.0.1:${p}`,
            `--initial-cluster=local=http://127.0.0.1:${p}`,
            "--log-level=warn",
            "--unsafe-no-fsync",
        ]);
        await waitFor("etcd", async () => (await fetch(`http://127.0.0.1:${c}/health`)).ok, 30_000, 200);
    }

    /** Starts (or restarts) the API server on the same port and data. */
    async startApiServer(): Promise<void> {
        const d = (f: string) => path.join(this.dir, f);
        this.spawn("kube-apiserver", "kube-apiserver", [
            `--etcd-servers=http://127.0.0.1:${this.ports.etcdClient}`,
            "--bind-address=127.0.0.1",
            "--advertise-address=127.0.0.1",
            `--secure-port=${this.ports.apiserver}`,
            `--tls-cert-file=${d("apiserver.crt")}`,
            `--tls-private-key-file=${d("apiserver.key")}`,
            `--client-ca-file=${d("ca.crt")}`,
            `--token-auth-file=${d("tokens.csv")}`,
            `--service-account-key-file=${d("sa.pub")}`,
            `--service-account-signing-key-file=${d("sa.key")}`,
            "--service-account-issuer=https://kubernetes.default.svc",
            "--service-cluster-ip-range=10.96.0.0/16",
            "--authorization-mode=RBAC",
            "--allow-privileged=false",
            "--profiling=false",
            "--v=1",
        ]);
        await waitFor("the API server", () => this.kubectl(["get", "--raw", "/readyz"]).status === 0, 90_000, 500);
    }

    /** Kills the API server (a fault); `startApiServer` brings it back. */
    killApiServer(): void {
        const m = this.procs.find((p) => p.name === "kube-apiserver" && p.child.exitCode === null);
        if (m?.child.pid) process.kill(m.child.pid, "SIGKILL");
        this.procs = this.procs.filter((p) => p !== m);
    }

    /** kube-controller-manager, kube-scheduler and kwok (with its stages and parallelism). */
    async startControllers(kwokConfig: string): Promise<void> {
        const d = (f: string) => path.join(this.dir, f);
        this.spawn("kube-controller-manager", "kube-controller-manager", [
            `--kubeconfig=${this.kubeconfig}`,
            `--service-account-private-key-file=${d("sa.key")}`,
            `--root-ca-file=${d("ca.crt")}`,
            "--leader-elect=false",
            "--controllers=*",
            "--bind-address=127.0.0.1",
            "--secure-port=0",
            "--use-service-account-credentials=false",
            "--concurrent-deployment-syncs=10",
            "--concurrent-statefulset-syncs=10",
            "--v=1",
        ]);
        this.spawn("kube-scheduler", "kube-scheduler", [
            `--kubeconfig=${this.kubeconfig}`,
            "--leader-elect=false",
            "--bind-address=127.0.0.1",
            "--secure-port=0",
            "--v=1",
        ]);
        fs.writeFileSync(d("kwok.yaml"), kwokConfig);
        this.spawn("kwok", "kwok", [
            `--kubeconfig=${this.kubeconfig}`,
            `--config=${d("kwok.yaml")}`,
            "--manage-all-nodes=false",
            "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
            "--server-address=",
        ]);
        await waitFor(
            "the default service account (controller-manager up)",
            () => this.kubectl(["get", "serviceaccount", "default", "-n", "default"]).status === 0,
            60_000,
        );
    }

    /** Runs kubectl against the cluster. */
    kubectl(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
        const r = spawnSync(path.join(this.bin, "kubectl"), [`--kubeconfig=${this.kubeconfig}`, ...args], {
            encoding: "utf8",
            input,
            maxBuffer: 256 * 1024 * 1024,
            timeout: 5 * 60 * 1000,
        });
        return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
    }

    /** kubectl that throws with its output on failure. */
    must(args: string[], input?: string): string {
        const r = this.kubectl(args, input);
        if (r.status !== 0) throw new Error(`kubectl ${args.join(" ")}: ${r.stderr || r.stdout}`);
        return r.stdout;
    }

    /** Objects of a kind as JSON items. */
    get(kind: string, ...args: string[]): KubeObject[] {
        return JSON.parse(this.must(["get", kind, "-o", "json", ...args])).items;
    }

    /** Creates simulated nodes (kwok manages them: Ready, leases, Pod lifecycles). */
    createNodes(nodes: NodeSpec[], csiDriver?: string): void {
        const docs = nodes.flatMap((n) => {
            const capacity: Record<string, string> = { cpu: n.cpu, memory: n.memory, "ephemeral-storage": n.ephemeralStorage ?? "200Gi", pods: "110" };
            if (n.gpus) capacity["nvidia.com/gpu"] = String(n.gpus);
            const node = {
                apiVersion: "v1",
                kind: "Node",
                metadata: {
                    name: n.name,
                    annotations: {
                        "kwok.x-k8s.io/node": "fake",
                        "node.alpha.kubernetes.io/ttl": "0",
                        "volumes.kubernetes.io/controller-managed-attach-detach": "true",
                    },
                    labels: {
                        "kubernetes.io/hostname": n.name,
                        "kubernetes.io/os": "linux",
                        "kubernetes.io/arch": "amd64",
                        "topology.kubernetes.io/zone": n.zone,
                        "node.kubernetes.io/instance-type": "simulated",
                        type: "kwok",
                        ...(n.labels ?? {}),
                    },
                },
                spec: { taints: n.taints ?? [] },
                status: { capacity, allocatable: capacity, nodeInfo: { kubeletVersion: "fake", architecture: "amd64", operatingSystem: "linux" } },
            };
            const csiNode = csiDriver
                ? [
                      {
                          apiVersion: "storage.k8s.io/v1",
                          kind: "CSINode",
                          metadata: { name: n.name },
                          spec: { drivers: [{ name: csiDriver, nodeID: n.name, topologyKeys: ["topology.kubernetes.io/zone"] }] },
                      },
                  ]
                : [];
            return [node, ...csiNode];
        });
        this.must(["apply", "--server-side", "-f", "-"], docs.map((d) => YAML.stringify(d)).join("---\n"));
        // The status (capacity) of a node is a subresource: set it explicitly.
        for (const n of nodes) {
            const capacity: Record<string, string> = { cpu: n.cpu, memory: n.memory, "ephemeral-storage": n.ephemeralStorage ?? "200Gi", pods: "110" };
            if (n.gpus) capacity["nvidia.com/gpu"] = String(n.gpus);
            this.must(["patch", "node", n.name, "--subresource=status", "--type=merge", "-p", JSON.stringify({ status: { capacity, allocatable: capacity } })]);
        }
    }

    /** Stops every process (by PID) and removes the folder unless `keep`. */
    stop(keep = false): void {
        for (const m of [...this.procs].reverse())
            if (m.child.pid && m.child.exitCode === null)
                try {
                    process.kill(m.child.pid, "SIGKILL");
                } catch {
                    // gone
                }
        this.procs = [];
        if (!keep) fs.rmSync(this.dir, { recursive: true, force: true });
    }

    /** The last lines of a component's log, for failure messages. */
    tail(name: string, lines = 30): string {
        const m = this.procs.find((p) => p.name === name) ?? { log: path.join(this.dir, `${name}.log`) };
        return fs.existsSync(m.log) ? fs.readFileSync(m.log, "utf8").split("\n").slice(-lines).join("\n") : "";
    }
}
