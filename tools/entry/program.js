/** Pulumi.yaml `main`: the program (index.ts), compiled; rebuilt first when a source changed. */
"use strict";
module.exports = require(require("./compiled").ensureBuilt("index.js"));
