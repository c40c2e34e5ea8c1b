// sesguard's mock run of a Pulumi Node.js program (started by nodejs.py with the project's `node`).
//
// The program runs as `pulumi preview` would run it, but against @pulumi/pulumi's own mocks
// (pulumi.runtime.setMocks, the SDK's unit-testing path) instead of an engine: the project's own
// @pulumi/pulumi and @pulumi/aws, its TypeScript set up as the SDK's run.js sets it up (ts-node and
// typescript from the project, else those @pulumi/pulumi vendors; tsconfig.json or the project's
// runtime.options.tsconfig; type checking unless the tsconfig says noCheck). Every registration is
// recorded in its wire form (camelCase names, the unknown sentinel, secrets as signature objects)
// with the position the SDK computed for it. The request comes as JSON on stdin; the answer is
// written as JSON to the file the request names, so nothing the program prints can forge it.
"use strict";

const fs = require("fs");
const os = require("os");
const path = require("path");
const Module = require("module");

// Node 22.1+ keeps compiled code of what it loads (@pulumi/pulumi, @pulumi/aws, typescript) on
// disk: a second run skips most of the parsing. In the user's own cache folder, never a shared
// temporary one another user could write to. Older Node: no cache.
if (typeof Module.enableCompileCache === "function") {
    try {
        const cacheHome = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
        Module.enableCompileCache(path.join(cacheHome, "sesguard", "node-compile-cache"));
    } catch (err) {
        // a cache that cannot be written only costs time
    }
}

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const STACK_TYPE = "pulumi:pulumi:Stack";

const request = JSON.parse(fs.readFileSync(0, "utf8"));
const recorded = { resources: {}, outputs: {} };
let failure; // the first failure: {error, kind?, file?, line?}
let pulumi, settings; // the project's @pulumi/pulumi

function answer(value) {
    fs.writeFileSync(request.answer, JSON.stringify(value));
}

function fail(err) {
    if (failure === undefined) {
        failure = describe(err);
    }
}

// A failure as one line for the Python side; a TypeScript diagnostic keeps its file and line.
function describe(err) {
    if (err && err.name === "TSError") {
        // ts-node's diagnostics: `file(line,col): error TS…: …`, or with a tsconfig's `pretty`
        // (newer ts-node) `file:line:col - error TS…: …` in colour.
        const text = String(err.diagnosticText || err.message || "").replace(/\u001b\[[0-9;]*m/g, "");
        const m =
            /^\s*(?:⨯ Unable to compile TypeScript:\s*)?(.+?)\((\d+),(\d+)\): error (TS\d+): ([^\n]*)/m.exec(text) ||
            /^\s*(?:⨯ Unable to compile TypeScript:\s*)?(.+?):(\d+):(\d+) - error (TS\d+): ([^\n]*)/m.exec(text);
        if (m) {
            return { kind: "typescript", file: m[1], line: Number(m[2]), column: Number(m[3]), error: `${m[4]}: ${m[5]}` };
        }
        return { kind: "typescript", error: text.split("\n").filter((l) => l.trim())[0] || "TypeScript error" };
    }
    if (err instanceof SyntaxError) {
        const where = /^(.+):(\d+)\s*$/m.exec(String(err.stack || ""));
        if (where) {
            return { kind: "syntax", file: where[1], line: Number(where[2]), error: `SyntaxError: ${err.message}` };
        }
    }
    if (pulumi && pulumi.RunError && pulumi.RunError.isInstance(err)) {
        return { error: err.message }; // the SDK's own one-line errors (a missing config key), as for Python
    }
    if (err && err.sesguardInvoke) {
        return { kind: "invoke", error: err.message };
    }
    if (err instanceof Error) {
        return { error: `program failed: ${err.name || "Error"}: ${err.message}` };
    }
    return { error: `program failed: ${String(err)}` };
}

// Whatever the program prints goes to stderr: stdout is the user's report.
process.stdout.write = process.stderr.write.bind(process.stderr);
process.on("uncaughtException", fail);
process.on("unhandledRejection", fail);

// --- the project's SDK -------------------------------------------------------------------------

process.chdir(request.pwd);
const projectRequire = Module.createRequire(path.join(request.pwd, "__sesguard__.js"));
try {
    pulumi = projectRequire("@pulumi/pulumi");
    settings = projectRequire("@pulumi/pulumi/runtime/settings");
} catch (err) {
    answer({ kind: "no-sdk", error: `cannot load @pulumi/pulumi: ${err.message.split("\n")[0]}` });
    process.exit(0);
}

// --- the mocks ---------------------------------------------------------------------------------

const config = JSON.parse(process.env.PULUMI_CONFIG || "{}");
const ACCOUNT = request.accountId;

function invokeError(token, why) {
    const err = new Error(
        `program called ${token}, which the mock runner does not answer${why ? ` (${why})` : ""}: ` +
            "judge a preview instead (pulumi preview --json --stack <stack> | sesguard check --preview -)",
    );
    err.sesguardInvoke = true;
    fail(err);
    return err;
}

// The provider renders one value as a string and several reverse-sorted (policyDecodeConfigStringList).
function stringList(values) {
    const list = [...new Set((values || []).map(String))];
    if (list.length === 1) {
        return list[0];
    }
    return list.sort().reverse();
}

// Principals by type, each type's identifiers as a string list; a lone `*` of type `*` is "*".
function principals(list) {
    const byType = {};
    for (const p of list || []) {
        byType[p.type] = [].concat(byType[p.type] || [], p.identifiers || []);
    }
    const types = Object.keys(byType).sort();
    if (types.length === 1 && types[0] === "*" && stringList(byType["*"]) === "*") {
        return "*";
    }
    return Object.fromEntries(types.map((t) => [t, stringList(byType[t])]));
}

// Go marshals a map with its keys sorted.
function sortedKeys(object) {
    return Object.fromEntries(Object.keys(object).sort().map((k) => [k, object[k]]));
}

// aws.iam.getPolicyDocument as the provider computes it: the JSON document, indented by two.
function policyDocument(inputs) {
    if ((inputs.sourcePolicyDocuments || []).length || (inputs.overridePolicyDocuments || []).length) {
        throw invokeError("aws:iam/getPolicyDocument:getPolicyDocument", "source/override documents");
    }
    const doc = { Version: inputs.version || "2012-10-17" };
    if (inputs.policyId) {
        doc.Id = inputs.policyId;
    }
    doc.Statement = (inputs.statements || []).map((s) => {
        const st = {};
        if (s.sid) st.Sid = s.sid;
        st.Effect = s.effect || "Allow";
        if (s.actions && s.actions.length) st.Action = stringList(s.actions);
        if (s.notActions && s.notActions.length) st.NotAction = stringList(s.notActions);
        if (s.resources && s.resources.length) st.Resource = stringList(s.resources);
        if (s.notResources && s.notResources.length) st.NotResource = stringList(s.notResources);
        if (s.principals && s.principals.length) st.Principal = principals(s.principals);
        if (s.notPrincipals && s.notPrincipals.length) st.NotPrincipal = principals(s.notPrincipals);
        if (s.conditions && s.conditions.length) {
            const byTest = {};
            for (const c of s.conditions) {
                byTest[c.test] = byTest[c.test] || {};
                byTest[c.test][c.variable] = [].concat(byTest[c.test][c.variable] || [], c.values || []);
            }
            st.Condition = sortedKeys(
                Object.fromEntries(
                    Object.entries(byTest).map(([test, vars]) => [
                        test,
                        sortedKeys(Object.fromEntries(Object.entries(vars).map(([v, vals]) => [v, stringList(vals)]))),
                    ]),
                ),
            );
        }
        return st;
    });
    // Go's encoder (json.MarshalIndent) escapes <, > and & as \u003c, \u003e and \u0026.
    const goJson = (t) => t.replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026");
    const text = goJson(JSON.stringify(doc, null, 2));
    return { id: String(hash(text)), json: text, minifiedJson: goJson(JSON.stringify(doc)) };
}

function hash(text) {
    let h = 0;
    for (let i = 0; i < text.length; i++) {
        h = (h * 31 + text.charCodeAt(i)) | 0;
    }
    return h >>> 0;
}

const mocks = {
    newResource(args) {
        const state = Object.assign({}, args.inputs);
        if (!args.custom) {
            return { id: "", state };
        }
        for (const prop of request.computed[args.type] || []) {
            if (state[prop] === undefined) state[prop] = UNKNOWN;
        }
        if (args.type === "aws:sesv2/emailIdentity:EmailIdentity") {
            // Without unknown tokens, tokens[i] would fail inside an apply and the DKIM CNAMEs
            // would silently never register (SES-FACTS).
            const dkim = Object.assign({}, state.dkimSigningAttributes || {});
            for (const prop of request.dkimComputed) {
                if (dkim[prop] === undefined) dkim[prop] = UNKNOWN;
            }
            state.dkimSigningAttributes = dkim;
        }
        return { id: UNKNOWN, state };
    },
    call(args) {
        const inputs = args.inputs || {};
        switch (args.token) {
            case "aws:index/getCallerIdentity:getCallerIdentity":
                return { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/sesguard-mock`, userId: "AIDAMOCK", id: ACCOUNT };
            case "aws:index/getPartition:getPartition":
                return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws", reverseDnsPrefix: "com.amazonaws" };
            case "aws:index/getRegion:getRegion": {
                const region = inputs.region || inputs.name || config["aws:region"];
                if (typeof region !== "string" || !region) {
                    throw invokeError(args.token, "the stack sets no aws:region");
                }
                return { id: region, name: region, region, endpoint: `ec2.${region}.amazonaws.com`, description: "" };
            }
            case "aws:iam/getPolicyDocument:getPolicyDocument":
                return policyDocument(inputs);
            case "aws:route53/getZone:getZone": {
                if (typeof inputs.name !== "string" || !inputs.name || inputs.zoneId) {
                    throw invokeError(args.token, "only a lookup by name is answered");
                }
                const name = inputs.name.replace(/\.$/, "").toLowerCase();
                return {
                    name,
                    id: UNKNOWN,
                    zoneId: UNKNOWN,
                    arn: UNKNOWN,
                    nameServers: UNKNOWN,
                    primaryNameServer: UNKNOWN,
                    callerReference: UNKNOWN,
                    comment: UNKNOWN,
                    linkedServiceDescription: UNKNOWN,
                    linkedServicePrincipal: UNKNOWN,
                    resourceRecordSetCount: UNKNOWN,
                    privateZone: inputs.privateZone === true,
                    tags: inputs.tags || {},
                };
            }
            default:
                throw invokeError(args.token);
        }
    },
};

pulumi.runtime.setMocks(mocks, request.project, request.stack, true);
const monitor = settings.getMonitor();

// As the engine does (the SDK's MockMonitor keeps only the nearest parent type): the whole chain
// of parent types, leaving out the root stack, so URNs match those of a real preview.
monitor.newUrn = function newUrn(parent, type, name) {
    if (parent) {
        const parentType = parent.split("::")[2];
        if (parentType !== STACK_TYPE) {
            type = `${parentType}$${type}`;
        }
    }
    return `urn:pulumi:${request.stack}::${request.project}::${type}::${name}`;
};

function merge(inputs, outputs) {
    if (isObject(inputs) && isObject(outputs)) {
        const merged = Object.assign({}, inputs);
        for (const [k, v] of Object.entries(outputs)) merged[k] = merge(inputs[k], v);
        return merged;
    }
    return outputs === undefined || outputs === null ? inputs : outputs;
}

function isObject(v) {
    return v !== null && typeof v === "object" && !Array.isArray(v);
}

const register = monitor.registerResource.bind(monitor);
monitor.registerResource = (req, callback) =>
    register(req, (err, response) => {
        if (!err) {
            const urn = response.getUrn();
            const inputs = req.getObject() ? req.getObject().toJavaScript() : {};
            const outputs = response.getObject() ? response.getObject().toJavaScript() : {};
            const entry = {
                urn,
                type: req.getType(),
                name: req.getName(),
                custom: req.getCustom(),
                props: merge(inputs, outputs),
                parent: req.getParent() || null,
                dependencies: [...new Set(req.getDependenciesList())].sort(),
                provider: req.getProvider() || null,
            };
            const pos = typeof req.getSourceposition === "function" ? req.getSourceposition() : undefined;
            if (pos && req.getType() !== STACK_TYPE) {
                entry.sourcePosition = { uri: pos.getUri(), line: pos.getLine(), column: pos.getColumn() };
            }
            recorded.resources[urn] = entry;
        }
        callback(err, response);
    });
const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
monitor.registerResourceOutputs = (req, callback) => {
    const outputs = req.getOutputs() ? req.getOutputs().toJavaScript() : {};
    recorded.outputs[req.getUrn()] = Object.assign(recorded.outputs[req.getUrn()] || {}, outputs);
    return registerOutputs(req, callback);
};

// --- TypeScript, as @pulumi/pulumi's cmd/run/run.js sets it up -------------------------------

function firstResolvable(candidates) {
    for (const [name, fallback] of candidates) {
        try {
            projectRequire.resolve(name);
            return name;
        } catch (err) {
            if (fallback) return fallback;
        }
    }
    return undefined;
}

function setUpTypeScript(packageObject) {
    const sdkDir = path.dirname(projectRequire.resolve("@pulumi/pulumi/package.json"));
    const tsConfigPath = request.tsconfig || "tsconfig.json";
    const skipProject = !fs.existsSync(tsConfigPath);
    if (skipProject && request.tsconfig) {
        throw Object.assign(new Error(`tsconfig path was set to ${tsConfigPath} but the file was not found`), {
            name: "TSConfigError",
        });
    }
    const typescriptRequire = firstResolvable([
        ["typescript", path.join(sdkDir, "vendor", "typescript@3.8.3", "typescript.js")],
    ]);
    const tsnodeRequire = firstResolvable([["ts-node", path.join(sdkDir, "vendor", "ts-node@7.0.1")]]);
    const ts = projectRequire(typescriptRequire);
    let compilerOptions = {};
    if (!skipProject) {
        try {
            compilerOptions = ts.parseConfigFileTextToJson(tsConfigPath, fs.readFileSync(tsConfigPath, "utf8")).config.compilerOptions || {};
        } catch (err) {
            compilerOptions = {};
        }
    }
    let transpileOnly = compilerOptions.noCheck;
    if (process.env.PULUMI_NODEJS_TRANSPILE_ONLY) {
        transpileOnly = process.env.PULUMI_NODEJS_TRANSPILE_ONLY === "true";
    }
    if (packageObject.type === "module") {
        throw Object.assign(new Error("a TypeScript ES module project (package.json type: module) is not run under mocks"), {
            name: "Unsupported",
        });
    }
    const [major, minor] = String(ts.version).split(".").map(Number);
    const nodeNext = major > 4 || (major === 4 && minor >= 7);
    projectRequire(tsnodeRequire).register({
        compiler: typescriptRequire,
        transpileOnly,
        project: tsConfigPath,
        skipProject,
        compilerOptions: {
            target: "ES2020",
            module: nodeNext ? "nodenext" : "commonjs",
            moduleResolution: nodeNext ? "nodenext" : "node",
            sourceMap: "true",
            ...compilerOptions,
        },
    });
}

function packageOf(dir) {
    for (let d = dir; ; d = path.dirname(d)) {
        const file = path.join(d, "package.json");
        if (fs.existsSync(file)) {
            return { root: d, object: JSON.parse(fs.readFileSync(file, "utf8")) };
        }
        if (path.dirname(d) === d) return { root: dir, object: {} };
    }
}

// The entry point as run.js finds it: Pulumi.yaml `main`, else package.json `exports`/`main`.
function entryPoint(pkg) {
    let program = path.resolve(request.pwd, request.program);
    if (request.program !== ".") return program;
    const exp = pkg.object.exports;
    const main =
        typeof exp === "string"
            ? exp
            : exp && typeof exp["."] === "string"
              ? exp["."]
              : exp && typeof exp["."] === "object"
                ? exp["."].default || exp["."].require || exp["."].import
                : pkg.object.main;
    if (typeof main === "string" && fs.existsSync(path.join(pkg.root, main))) {
        program = path.join(pkg.root, main);
    }
    return program;
}

async function runProgram(program, pkg) {
    let exported;
    if (pkg.object.type === "module") {
        let main = fs.realpathSync(program);
        if (fs.statSync(main).isDirectory()) {
            const index = ["index.js", "index.mjs"].find((f) => fs.existsSync(path.join(main, f)));
            if (!index) throw new Error(`No entrypoint found in ${main}`);
            main = path.join(main, index);
        }
        exported = await import(require("url").pathToFileURL(main).href);
        if (Object.getOwnPropertyDescriptor(exported, "default") !== undefined) {
            exported = exported.default;
        }
    } else {
        if (fs.statSync(program).isDirectory() && !program.endsWith("/")) program += "/";
        exported = projectRequire(program);
    }
    return await (exported instanceof Function ? exported() : exported);
}

async function main() {
    const pkg = packageOf(request.pwd);
    const program = entryPoint(pkg);
    if (request.typescript) {
        setUpTypeScript(pkg.object);
    }
    await pulumi.runtime.runInPulumiStack(() => runProgram(program, pkg));
    // Every registration sent before the answer is written (older SDKs: disconnect waits for them).
    await (typeof settings.waitForRPCs === "function" ? settings.waitForRPCs() : settings.disconnect());
}

main().then(
    () => {
        // Outstanding callbacks (an apply that throws late) surface before the answer is written.
        setImmediate(() => answer(failure !== undefined ? failure : recorded));
    },
    (err) => {
        fail(err);
        answer(failure);
    },
);
