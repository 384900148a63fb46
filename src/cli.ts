/** The `aam` executable: the shell around main(). */
import { main } from "./cli/main.ts";
import { proc } from "./runtime/index.ts";

proc.setExitCode(await main(proc.argv()));
