// Run one MicroPython script on the official WebAssembly port (32-bit words, as on an ESP32) under node.
//
// node run.mjs PORT_DIR HEAP_BYTES FLASH_DIR CWD_DIR SCRIPT [CALL...]
//
// PORT_DIR holds the npm package's micropython.mjs. FLASH_DIR (the modules, as deployed) is copied into the
// port's in-memory file system as /flash, first on sys.path; CWD_DIR as /work, the current directory (the
// vault). The script runs first, then each CALL (Python source), each as a call of its own from here: this port
// collects garbage only between such calls (inside one, gc.collect() does nothing: it cannot see the pointers
// WebAssembly keeps in its locals), so a script is split where a collection must happen. Output: stdout;
// exit status 1 when Python raised. The port grows its heap on demand (a split heap) rather than fail:
// `micropython.mem_info()` prints the total, so the caller can tell whether HEAP_BYTES was enough.
import fs from "fs";
import path from "path";
import url from "url";

const [portDir, heap, flashDir, cwdDir, script, ...calls] = process.argv.slice(2);
const { loadMicroPython } = await import(url.pathToFileURL(path.join(portDir, "micropython.mjs")).href);
const mp = await loadMicroPython({ heapsize: parseInt(heap, 10), linebuffer: false,
  stdout: (data) => process.stdout.write(data), stderr: (data) => process.stderr.write(data) });

function copy(from, to) {
  mp.FS.mkdir(to);
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    if (entry.isDirectory()) copy(source, to + "/" + entry.name);
    else mp.FS.writeFile(to + "/" + entry.name, fs.readFileSync(source));
  }
}
copy(flashDir, "/flash");
copy(cwdDir, "/work");

try {
  mp.runPython("import os, sys\nos.chdir('/work')\nsys.path[:0] = ['/flash']");
  mp.runPython(fs.readFileSync(script, "utf8"));
  for (const call of calls) mp.runPython(call);
} catch (error) {
  if (error.name !== "PythonError" || error.type !== "SystemExit") {
    process.stderr.write(String(error.message || error) + "\n");
    process.exitCode = 1;
  }
}
