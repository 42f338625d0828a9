import { Testing } from "cdktf";
// Brings the global type declarations of cdktf's jest matchers into the type check.
import type {} from "cdktf/lib/testing/adapters/jest";

Testing.setupJest();
