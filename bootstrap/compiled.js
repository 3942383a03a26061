/**
 * Runs this repository's compiled JavaScript for the Pulumi CLI, so that `pulumi preview` does
 * not type-check TypeScript on every run (ts-node with type checking costs seconds), and rebuilds
 * first when any source is newer than the build, so that an edited program is never deployed
 * from a stale `dist/`. `npm ci` builds once (the `prepare` script).
 *
 * Plain JavaScript on purpose: it runs before anything is compiled.
 */
"use strict";
const fs = require("fs");
const path = require("path");
const { spawnSync } = require("child_process");

const root = path.resolve(__dirname, "..");
const SOURCES = ["index.ts", "components", "environments", "facade", "analysis", "policies", "testing", "tools", "provider", "tsconfig.json", "package.json"];

function newestSource(p) {
    let st;
    try {
        st = fs.statSync(p);
    } catch {
        return 0;
    }
    if (!st.isDirectory()) return /\.(ts|json)$/.test(p) && !p.endsWith(".d.ts") ? st.mtimeMs : 0;
    let newest = 0;
    for (const e of fs.readdirSync(p)) if (e !== "node_modules" && e !== "dist") newest = Math.max(newest, newestSource(path.join(p, e)));
    return newest;
}

/** Builds dist/ when it is missing or older than a source; throws with the compiler's output on errors. */
function ensureBuilt(entry) {
    const built = path.join(root, "dist", entry);
    let builtAt = 0;
    try {
        builtAt = fs.statSync(built).mtimeMs;
    } catch {
        // not built yet
    }
    const changed = Math.max(...SOURCES.map((s) => newestSource(path.join(root, s))));
    if (builtAt >= changed) return built;
    process.stderr.write(`rag-platform: ${builtAt ? "sources changed since the last build" : "no build yet"}: compiling (npm run build) ...\n`);
    const tsc = require.resolve("typescript/bin/tsc", { paths: [root] });
    const r = spawnSync(process.execPath, [tsc, "-p", path.join(root, "tsconfig.json")], { cwd: root, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`the TypeScript build failed (npm run build):\n${r.stdout}${r.stderr}`);
    // tsc leaves an unchanged output file alone: mark the build as current.
    const now = new Date();
    fs.utimesSync(built, now, now);
    return built;
}

/**
 * @pulumi/pulumi's runtime loads its closure serializer eagerly, and with it TypeScript and npm's
 * arborist: about 0.8 of the SDK's 1.0 s start-up, paid by the program and by the policy pack on
 * every preview. Neither serializes functions (no dynamic providers, no function callbacks), so
 * the serializer's entry points are deferred: the real modules load on their first call. Only
 * these two requests from the SDK's runtime index are touched; anything else loads as usual.
 */
let deferred = false;
function deferClosureSerializer() {
    if (deferred) return;
    deferred = true;
    const Module = require("module");
    const load = Module._load;
    const runtimeIndex = path.join("@pulumi", "pulumi", "runtime", "index.js");
    const entryPoints = {
        "./closure/serializeClosure": ["serializeFunctionAsync", "serializeFunction"],
        "./closure/codePaths": ["computeCodePaths"],
    };
    Module._load = function (request, parent) {
        const names = entryPoints[request];
        if (names && parent && parent.filename && parent.filename.endsWith(runtimeIndex)) {
            let real;
            const get = () => (real = real || load.call(Module, request, parent, false));
            return Object.fromEntries(names.map((n) => [n, (...a) => get()[n](...a)]));
        }
        return load.apply(this, arguments);
    };
}

/**
 * What the SDK's runners (the program's and the policy pack's) set up before loading this code
 * and that it never uses, undone: they enable the V8 inspector's debugger (to map script ids when
 * serializing functions), which slows down all code loaded after it, and source-map-support
 * rewrites the stack trace the SDK captures for every resource (this code is compiled without
 * source maps: there is nothing to map). Together with deferClosureSerializer, about two seconds
 * of every preview (npm run bench). Function serialization (dynamic providers, function
 * callbacks) would need them; this repository's program and pack use neither.
 */
async function leanRuntime() {
    deferClosureSerializer();
    Error.prepareStackTrace = undefined;
    // The SDK's log module, where the runner loaded it (the pack's executable form never does).
    const logModule = Object.keys(require.cache).find((k) => k.endsWith(path.join("@pulumi", "pulumi", "log", "index.js")));
    if (!process.env.RAGSTACK_SDK_DEBUG && logModule) require.cache[logModule].exports.debug = () => Promise.resolve();
    const hooks = Object.keys(require.cache).find((k) => k.endsWith(path.join("@pulumi", "pulumi", "runtime", "closure", "v8Hooks.js")));
    if (hooks) {
        const session = await require.cache[hooks].exports.getSessionAsync();
        session.disconnect();
    }
}

/**
 * The policy SDK deserializes a resource's properties once per policy (85 here) for every
 * resource it analyzes, and once per stack policy per resource for the stack analysis: most of
 * the pack's time in a preview. The properties of one request are one protobuf Struct, so the
 * read-only deserialization (validation, not remediation) is memoized per Struct. Every policy
 * still gets its own unknown-checking proxy; this pack's policies never mutate props.
 */
function memoizePolicyDeserialization() {
    const deserialize = require("@pulumi/policy/deserialize");
    if (deserialize.__ragstackMemoized) return;
    const original = deserialize.deserializeProperties;
    const cache = new WeakMap();
    deserialize.deserializeProperties = (struct, proxySecrets) => {
        if (proxySecrets || !struct || typeof struct !== "object") return original(struct, proxySecrets);
        let props = cache.get(struct);
        if (!props) cache.set(struct, (props = original(struct, proxySecrets)));
        return props;
    };
    deserialize.__ragstackMemoized = true;
}

/**
 * With RAGSTACK_PACK_TIMELINE=<file>, the pack's process appends one JSON line per event to the
 * file: its start (the process's time origin), `ready` (the analyzer's gRPC server bound, every
 * module loaded), and each RPC the engine makes with its start and end (analyze, per resource;
 * analyzeStack, once; remediate; configure…). `npm run bench` reads it for the pack's breakdown.
 * Off (the default), nothing is wrapped.
 */
function recordPackTimeline() {
    const file = process.env.RAGSTACK_PACK_TIMELINE;
    if (!file) return;
    const { performance } = require("perf_hooks");
    const now = () => performance.timeOrigin + performance.now();
    const write = (e) => fs.appendFileSync(file, `${JSON.stringify(e)}\n`);
    write({ event: "start", at: performance.timeOrigin });
    // The gRPC module the policy SDK's server uses (resolved from the SDK's own folder).
    const grpc = require(require.resolve("@grpc/grpc-js", { paths: [path.dirname(require.resolve("@pulumi/policy"))] }));
    const { addService, bindAsync } = grpc.Server.prototype;
    grpc.Server.prototype.addService = function (service, implementation) {
        const timed = {};
        for (const [name, fn] of Object.entries(implementation))
            timed[name] = function (call, callback) {
                const start = now();
                return fn.call(this, call, (err, response) => {
                    write({ event: "rpc", name, start, end: now() });
                    callback(err, response);
                });
            };
        return addService.call(this, service, timed);
    };
    grpc.Server.prototype.bindAsync = function (address, credentials, callback) {
        return bindAsync.call(this, address, credentials, (err, port) => {
            write({ event: "ready", at: now() });
            callback(err, port);
        });
    };
}

/**
 * The policy SDK reaches the whole of @pulumi/pulumi (its runtime, and through it the closure
 * serializer with TypeScript and npm's arborist: most of the pack's start-up) for two things, in
 * `@pulumi/policy/deserialize.js`: the asset classes and the signature constants of serialized
 * properties. The pack's executable form (policies/ragstack-policies), which no runner has loaded
 * the SDK into, gives that one module the asset module alone and the constants read from the SDK's
 * own source; `Output` (serializing a remediation's result) loads the real SDK on first use. Any
 * other request loads as usual; when the constants cannot be read (another SDK), nothing changes.
 */
function lightPolicySdk() {
    const Module = require("module");
    const policyDir = path.dirname(require.resolve("@pulumi/policy", { paths: [root] }));
    const deserializer = path.join(policyDir, "deserialize.js");
    const rpcSource = require.resolve("@pulumi/pulumi/runtime/rpc", { paths: [policyDir] });
    const constants = {};
    for (const m of fs.readFileSync(rpcSource, "utf8").matchAll(/exports\.(special\w+) = "([0-9a-f]{32})";/g)) constants[m[1]] = m[2];
    if (!["specialSigKey", "specialAssetSig", "specialArchiveSig", "specialSecretSig"].every((k) => constants[k])) return;
    const load = Module._load;
    Module._load = function (request, parent) {
        if (parent && parent.filename === deserializer) {
            if (request === "@pulumi/pulumi/runtime/rpc") return constants;
            if (request === "@pulumi/pulumi") {
                const asset = load.call(Module, "@pulumi/pulumi/asset", parent, false);
                let sdk;
                return {
                    asset,
                    get Output() {
                        return (sdk = sdk || load.call(Module, request, parent, false)).Output;
                    },
                };
            }
        }
        return load.apply(this, arguments);
    };
}

/** leanRuntime, plus what only the policy pack's process needs. */
async function leanPolicyRuntime() {
    recordPackTimeline();
    await leanRuntime();
    memoizePolicyDeserialization();
}

/**
 * V8's compile cache (Node.js 22.1+) in node_modules/.cache: the SDKs' and this repository's
 * modules are compiled once, not on every preview (keyed by content: an edited file recompiles).
 */
function compileCache() {
    require("module").enableCompileCache?.(path.join(root, "node_modules", ".cache", "ragstack-compile"));
}

module.exports = { compileCache, ensureBuilt, deferClosureSerializer, leanRuntime, leanPolicyRuntime, lightPolicySdk };
