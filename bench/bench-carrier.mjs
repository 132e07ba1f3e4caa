/**
 * The benchmark's carrier server, in a process of its own (not sharing a thread with the
 * load generator): answers every event at once in JSON, plain mode, echoing the pushed
 * WayBillID. Prints one JSON line {"url": …} once listening; SIGTERM stops it.
 */
import http from 'node:http';

const server = http.createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    const e = JSON.parse(body);
    const head = {
      ToUserName: e.FromUserName,
      FromUserName: e.ToUserName,
      CreateTime: e.CreateTime,
      MsgType: 'event',
      Event: e.Event,
      BizID: e.BizID,
      ResultCode: 0,
      ResultMsg: 'ok',
    };
    const reply =
      e.Event === 'add_waybill'
        ? {
            ...head,
            Token: e.Token,
            OrderID: e.OrderID,
            WayBillID: e.WayBillID,
            WaybillData: '##BENCH_mark##100-200-300##BENCH_bagAddr##广州##',
          }
        : { ...head, Quota: 1000 };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () =>
  process.stdout.write(JSON.stringify({ url: `http://127.0.0.1:${server.address().port}/carrier` }) + '\n'),
);
process.once('SIGTERM', () => server.close(() => process.exit(0)));
