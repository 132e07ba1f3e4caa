// Runs a cloud function's exports.main once per event (argv[3], a JSON array) and prints
// one JSON array: each result, or {thrown: {errCode, errMsg}} when main threw.
const main = require(process.argv[2]).main;
(async () => {
  const out = [];
  for (const event of JSON.parse(process.argv[3])) {
    try {
      out.push({ result: await main(event, {}) });
    } catch (e) {
      out.push({ thrown: { errCode: e.errCode, errMsg: e.errMsg } });
    }
  }
  process.stdout.write(JSON.stringify(out));
})();
