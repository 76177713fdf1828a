// A tiny HTTP front for the two-replica run: it forwards every request, unchanged, to one of the
// gateways given on the command line and streams the answer back (1xx interim responses included).
//   node round-robin.mjs <listen-port> <upstream-url> <upstream-url> [...]
//
// Which gateway answers:
// - a request of a test (the suite's client numbers them in the Req-Num header) goes to gateway
//   (Req-Num - 1) mod N: each test's consecutive requests alternate strictly between the gateways,
//   whatever the suite runs concurrently, so a request that stores, one that invalidates and one that
//   reads again never all land on the same process;
// - any other request (the suite's PUT /config and GET /state, readiness probes) takes the next
//   gateway in turn.
// Prints "listening <port>" once it accepts connections. Nothing here caches, retries or rewrites.
import http from 'node:http'

const [listenPort, ...upstreams] = process.argv.slice(2)
if (!listenPort || upstreams.length < 2) {
  console.error('usage: node round-robin.mjs <listen-port> <upstream-url> <upstream-url> [...]')
  process.exit(2)
}
const targets = upstreams.map(u => new URL(u))
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 })
// Hop-by-hop fields (RFC 9110 §7.6.1): each connection has its own; Node writes its own framing.
const hopByHop = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer'])
let turn = 0

function pick (request) {
  const reqNum = parseInt(request.headers['req-num'], 10)
  if (Number.isInteger(reqNum) && reqNum > 0) return targets[(reqNum - 1) % targets.length]
  return targets[turn++ % targets.length]
}

function endToEnd (rawHeaders) {
  const out = []
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (!hopByHop.has(rawHeaders[i].toLowerCase())) out.push(rawHeaders[i], rawHeaders[i + 1])
  }
  return out
}

const server = http.createServer((request, response) => {
  const target = pick(request)
  const upstream = http.request({
    host: target.hostname,
    port: target.port,
    method: request.method,
    path: request.url,
    headers: endToEnd(request.rawHeaders),
    agent
  })
  upstream.on('information', info => {
    if (info.statusCode === 100) response.writeContinue()
    else if (info.statusCode === 102) response.writeProcessing()
    else if (info.statusCode === 103) response.writeEarlyHints(Object.fromEntries(Object.entries(info.headers)))
  })
  upstream.on('response', answer => {
    response.writeHead(answer.statusCode, answer.statusMessage, endToEnd(answer.rawHeaders))
    answer.pipe(response)
  })
  upstream.on('error', err => {
    if (response.headersSent) {
      response.destroy(err)
    } else {
      response.writeHead(502, { 'content-type': 'text/plain' })
      response.end(`round-robin front: ${target.host}: ${err.message}\n`)
    }
  })
  request.pipe(upstream)
})
server.keepAliveTimeout = 30_000
server.listen(Number(listenPort), '127.0.0.1', () => console.log(`listening ${server.address().port}`))
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0))
