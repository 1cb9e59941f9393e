// Preloaded into a CLI run by sparse-bench.ts: prints the process's peak resident set (worker threads included) on exit.
process.on('exit', () => process.stderr.write(`\nmemscope-bench: maxRSS ${process.resourceUsage().maxRSS}\n`));
