// Runs a cloud function's exports.main once per event (argv[3], a JSON array) and prints
// one JSON array: each result, or {thrown: {errCode, errMsg}} when main threw; with WXL_RUNNER_TIMES=1,
// each entry also has the call's duration `ms`.
const timed = process.env.WXL_RUNNER_TIMES === '1';
const main = require(process.argv[2]).main;
(async () => {
  const out = [];
  for (const event of JSON.parse(process.argv[3])) {
    const started = Date.now();
    const ms = () => (timed ? { ms: Date.now() - started } : {});
    try {
      const result = await main(event, {});
      out.push({ result, ...ms() });
    } catch (e) {
      out.push({ thrown: { errCode: e.errCode, errMsg: e.errMsg }, ...ms() });
    }
  }
  // Exit once printed: after a timeout the SDK's keep-alive agent may still hold a socket open
  // (a hung call), which would keep the process alive.
  process.stdout.write(JSON.stringify(out), () => process.exit(0));
})();
