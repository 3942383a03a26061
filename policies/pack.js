/**
 * The policy pack's entry (package.json `main`): `policies/index.ts`, compiled into the
 * repository's dist/ with the library, loaded with the repository's single copy of the Pulumi
 * SDKs (no ts-node, no second install); rebuilt first when a source changed.
 */
"use strict";
require(require("../tools/entry/compiled").ensureBuilt("policies/index.js"));
