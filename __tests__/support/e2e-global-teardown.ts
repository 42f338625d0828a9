/** jest globalTeardown of the end-to-end suites: the shared sandbox's `down` (e2e-global-setup.ts). */
import { teardown } from "./e2e-global-setup";

export default teardown;
