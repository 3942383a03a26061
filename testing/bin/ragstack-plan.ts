#!/usr/bin/env node
/**
 * ragstack-plan: the offline plan of any Pulumi program that uses these components, with no
 * cloud credentials and no Pulumi CLI. `ragstack-plan --dir <program> --stack <name> [--json]`;
 * the flags, exit codes and outputs are the repository's `npm run plan` (docs/offline-plan.md).
 */
import { main } from "../plan/cli";

void main(process.argv.slice(2));
