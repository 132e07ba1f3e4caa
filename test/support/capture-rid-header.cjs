// Preloaded (NODE_OPTIONS=--require) into a cloud function's process: appends the
// x-wxl-rid header of every HTTP answer it receives to $WXL_RID_FILE, one per line.
// The SDK itself never shows response headers; the wire does.
const fs = require('node:fs');
const http = require('node:http');
const file = process.env.WXL_RID_FILE;
const original = http.ClientRequest.prototype.emit;
http.ClientRequest.prototype.emit = function (event, res, ...rest) {
  if (event === 'response' && file && res && res.headers && res.headers['x-wxl-rid'])
    fs.appendFileSync(file, `${res.headers['x-wxl-rid']}\n`);
  return original.call(this, event, res, ...rest);
};
