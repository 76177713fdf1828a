// Grades a cache-tests results file (what conformance/run.sh writes) against the committed baseline.
//
//   node conformance/check.mjs RESULTS [--baseline FILE]            grade, compare, enforce
//   node conformance/check.mjs RESULTS --update-baseline [--baseline FILE]
//   node conformance/check.mjs --not-passing-table [--baseline FILE] the docs' table of required tests that do not pass
//
// Grading is cache-tests.fyi's, as the suite's grade.mjs does it: each test's result from
// test-engine/lib/results.mjs, dependencies not honoured. The checker prints the counts per kind and
// result beside the baseline's and the published results of Varnish and nginx (and Apache, Squid,
// Traffic Server), then the tests that pass now and did not in the baseline, and the required tests
// that passed in the baseline and do not now. It exits 1 when there is any of the latter (a
// regression), or when the results file is not a full run; 0 otherwise.
// --update-baseline writes RESULTS's grading as the new baseline (and enforces nothing).
//
// The default baseline is conformance/baseline.json, the single-gateway run; the two-replica run has
// conformance/baseline-2replicas.json.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import tests from './cache-tests/tests/index.mjs'
import { determineTestResult, resultTypes } from './cache-tests/test-engine/lib/results.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const suiteCommit = 'b55b8bd'
const kinds = ['required', 'optimal', 'check']
// The published results printed beside ours (conformance/cache-tests/results/).
const peers = [['Varnish', 'varnish.json'], ['nginx', 'nginx.json'], ['Apache', 'apache.json'], ['Squid', 'squid.json'], ['ATS', 'trafficserver.json']]

// Required tests whose result depends on timing rather than on the cache under test, so that a loaded
// machine can turn a pass into a fail with no change to the code. They are graded and counted like any
// other, but a pass that becomes a fail is reported, not enforced. Each entry says why.
// Keep this list to what repeated runs have shown (docs/conformance.md, "Flaky tests").
const timingFlaky = new Map([
  // (none so far: see docs/conformance.md for the runs that found none)
])

const nameOf = symbol => Object.keys(resultTypes).find(k => resultTypes[k] === symbol) || 'untested'
// 'yes' and 'optional_fail' are how check and optimal tests say pass and fail; the counts use the
// three words the issue and the docs use.
const simple = name => ({ yes: 'pass', no: 'fail', optional_fail: 'fail' }[name] || name)

const allTests = []
for (const suite of tests) for (const test of suite.tests) allTests.push({ suite: suite.id, ...test, kind: test.kind || 'required' })

function grade (results) {
  const byId = {}
  for (const test of allTests) byId[test.id] = simple(nameOf(determineTestResult(tests, test.id, results, false)))
  return byId
}

function counts (graded) {
  const c = {}
  for (const test of allTests) {
    const key = `${test.kind} ${graded[test.id]}`
    c[key] = (c[key] || 0) + 1
  }
  return c
}

function readJson (file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'))
}

function baselineOf (graded, source) {
  const pass = {}
  const notPassing = {}
  for (const kind of kinds) pass[kind] = allTests.filter(t => t.kind === kind && graded[t.id] === 'pass').map(t => t.id).sort()
  for (const t of allTests.filter(t => t.kind === 'required' && graded[t.id] !== 'pass')) notPassing[t.id] = graded[t.id]
  return {
    about: 'Graded cache-tests results of CacheLayer.Gateway: conformance/check.mjs enforces that every required test in pass.required still passes. Rewrite with --update-baseline.',
    suite: `http-tests/cache-tests@${suiteCommit}`,
    source,
    counts: Object.fromEntries(Object.entries(counts(graded)).sort()),
    pass,
    notPassingRequired: Object.fromEntries(Object.entries(notPassing).sort())
  }
}

function fromBaseline (baseline) {
  const graded = {}
  for (const test of allTests) graded[test.id] = 'fail'
  for (const [id, result] of Object.entries(baseline.notPassingRequired || {})) graded[id] = result
  // The pass lists are what is enforced: they win over anything else the file says.
  for (const kind of kinds) for (const id of baseline.pass[kind] || []) graded[id] = 'pass'
  return graded
}

const args = process.argv.slice(2)
const option = name => args.includes(name) ? args[args.indexOf(name) + 1] : undefined
const baselineFile = path.resolve(option('--baseline') || path.join(here, 'baseline.json'))
const resultsFile = args[0] && !args[0].startsWith('--') ? args[0] : undefined

if (args.includes('--not-passing-table')) {
  const baseline = readJson(baselineFile)
  console.log('| Test | What it checks | Result | Reason |')
  console.log('|---|---|---|---|')
  for (const t of allTests.filter(t => t.kind === 'required' && baseline.notPassingRequired[t.id])) {
    const reason = t.browser_only ? 'browser-only: the suite does not run it against a reverse proxy' : '*(to be filled)*'
    console.log(`| \`${t.suite}/${t.id}\` | ${t.name.replace(/\|/g, '\\|')} | ${baseline.notPassingRequired[t.id]} | ${reason} |`)
  }
  process.exit(0)
}

if (!resultsFile) {
  console.error('usage: node conformance/check.mjs RESULTS [--baseline FILE] [--update-baseline] | --not-passing-table [--baseline FILE]')
  process.exit(2)
}

const results = readJson(resultsFile)
const ran = allTests.filter(t => t.id in results).length
// The suite skips a few browser-only tests on a reverse proxy: a full run has all the others.
const expected = allTests.filter(t => t.browser_only !== true).length
const now = grade(results)

if (args.includes('--update-baseline')) {
  if (ran < expected) {
    console.error(`${resultsFile} has ${ran} of ${expected} tests: not a full run, baseline not written`)
    process.exit(1)
  }
  fs.writeFileSync(baselineFile, JSON.stringify(baselineOf(now, path.basename(resultsFile)), null, 2) + '\n')
  console.log(`wrote ${path.relative(process.cwd(), baselineFile)}`)
}

const baselineJson = fs.existsSync(baselineFile) ? readJson(baselineFile) : null
const baseline = baselineJson ? fromBaseline(baselineJson) : null
const columns = [['this run', counts(now)]]
if (baselineJson) columns.push(['baseline', baselineJson.counts])
for (const [name, file] of peers) {
  const published = path.join(here, 'cache-tests', 'results', file)
  if (fs.existsSync(published)) columns.push([name, counts(grade(readJson(published)))])
}
console.log(`${'kind result'.padEnd(22)}${columns.map(([name]) => name.padStart(10)).join('')}`)
for (const kind of kinds) {
  for (const result of ['pass', 'fail', 'setup_fail', 'untested']) {
    const key = `${kind} ${result}`
    if (!columns.some(([, c]) => c[key])) continue
    console.log(`${key.padEnd(22)}${columns.map(([, c]) => String(c[key] || 0).padStart(10)).join('')}`)
  }
}
console.log(`(${ran} tests in ${path.basename(resultsFile)}; published results: conformance/cache-tests/results/)`)

let status = 0
if (ran < expected) {
  console.log(`\nNOT A FULL RUN: ${ran} of ${expected} tests have a result`)
  status = 1
}
if (!baseline) {
  console.log(`\nno baseline at ${baselineFile}: nothing enforced (write one with --update-baseline)`)
} else {
  const label = t => `${t.suite}/${t.id} (${t.kind})`
  const improved = allTests.filter(t => now[t.id] === 'pass' && baseline[t.id] !== 'pass')
  const lost = allTests.filter(t => now[t.id] !== 'pass' && baseline[t.id] === 'pass')
  const regressions = lost.filter(t => t.kind === 'required' && !timingFlaky.has(t.id))
  if (improved.length) {
    console.log(`\nnewly passing (${improved.length}; run with --update-baseline to keep them):`)
    for (const t of improved) console.log(`  + ${label(t)}`)
  }
  for (const t of lost.filter(t => t.kind !== 'required' || timingFlaky.has(t.id))) {
    const why = timingFlaky.has(t.id) ? `not enforced, timing-dependent: ${timingFlaky.get(t.id)}` : 'not enforced'
    console.log(`  ~ ${label(t)} passed in the baseline, ${now[t.id]} now (${why})`)
  }
  if (regressions.length) {
    console.log(`\nREGRESSIONS: ${regressions.length} required test(s) passed in the baseline and do not now:`)
    for (const t of regressions) {
      const detail = Array.isArray(results[t.id]) ? ` ${results[t.id].join(': ')}` : ''
      console.log(`  - ${label(t)}: ${now[t.id]}${detail}`)
    }
    status = 1
  } else {
    console.log(`\nno regression: every required test that passed in the baseline passes (${baselineFile.split('/').slice(-2).join('/')})`)
  }
}
process.exit(status)
