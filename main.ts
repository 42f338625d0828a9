import { ENVIRONMENTS } from "./environments";
import { appEnvironments, runSynth } from "./stacks/synthesize";

process.exitCode = runSynth(appEnvironments(ENVIRONMENTS, process.env));
