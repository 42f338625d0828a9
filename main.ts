import { ENVIRONMENTS } from "./environments";
import { runSynth } from "./stacks/synthesize";

process.exitCode = runSynth(ENVIRONMENTS);
