// Checks the OpenAPI document of a running reflite server, then drives requests from it.
// Usage: node check.mjs http://127.0.0.1:PORT
// 1. The document validates against the OpenAPI 3.1 schema (an independent validator).
// 2. Every table path is read, and each row is checked against the table's schema.
// 3. Every row path is read with the key of a listed row: the same row comes back.
// 4. A row is inserted from a table's insert schema (its required columns), then deleted.
// 5. A column the document says is a foreign key, given a key that does not exist: 409,
//    and the error names the column and the parent table the document names.
// 6. An unknown table: 404 with the document's Error schema.
import { Validator } from "@seriousme/openapi-schema-validator";

const base = process.argv[2];
let failures = 0;
const fail = (msg) => {
  console.error("FAIL: " + msg);
  failures++;
};
const get = async (path, init) => {
  const r = await fetch(base + path, init);
  const text = await r.text();
  return { status: r.status, headers: r.headers, body: text ? JSON.parse(text) : null };
};

const doc = (await get("/openapi.json")).body;
const root = (await get("/")).body;
if (JSON.stringify(root) !== JSON.stringify(doc)) fail("/ and /openapi.json differ");
const res = await new Validator().validate(doc);
if (!res.valid) {
  console.error(JSON.stringify(res.errors, null, 1));
  fail("the document is not valid OpenAPI " + doc.openapi);
}
const schemas = doc.components.schemas;
const deref = (s) => (s.$ref ? schemas[s.$ref.split("/").pop()] : s);
const typeOf = (v) =>
  v === null ? "null" : Number.isInteger(v) ? "integer" : typeof v === "number" ? "number"
  : typeof v;
const fits = (v, schema) => {
  const types = [].concat(schema.type);
  return types.includes(typeOf(v)) || (typeOf(v) === "integer" && types.includes("number"));
};

let tables = 0, rowsChecked = 0;
for (const [path, item] of Object.entries(doc.paths)) {
  if (path.includes("{") || !item.get) continue;
  tables++;
  const listSchema = item.get.responses["200"].content["application/json"].schema;
  const rowSchema = deref(listSchema.items);
  const r = await get(path + "?limit=5");
  if (r.status !== 200 || !Array.isArray(r.body)) {
    fail(`GET ${path}: ${r.status}`);
    continue;
  }
  for (const row of r.body) {
    rowsChecked++;
    for (const [k, v] of Object.entries(row)) {
      const p = rowSchema.properties[k];
      if (!p) fail(`${path}: column ${k} is not in the schema`);
      else if (!fits(v, p)) fail(`${path}: ${k} = ${JSON.stringify(v)} is not ${p.type}`);
    }
  }
  const one = Object.keys(doc.paths).find((p) => p.startsWith(path + "/{"));
  if (one && r.body.length) {
    const key = one.slice(path.length + 2, -1);
    const got = await get(`${path}/${r.body[0][key]}`);
    if (got.status !== 200 || JSON.stringify(got.body) !== JSON.stringify(r.body[0]))
      fail(`GET ${one} with ${key}=${r.body[0][key]}: ${got.status}`);
  }
}
if (tables === 0) fail("the document has no tables");

// An insert from the insert schema of a table without required foreign keys, and a broken key.
const sample = (p) => ([].concat(p.type)[0] === "string" ? "openapi-check-" + Date.now()
  : [].concat(p.type)[0] === "boolean" ? true : 1);
let inserted = false, brokenKey = false;
for (const [path, item] of Object.entries(doc.paths)) {
  if (!item.post || inserted && brokenKey) continue;
  const ins = deref(item.post.requestBody.content["application/json"].schema.oneOf[0]);
  const required = ins.required || [];
  if (required.some((c) => ins.properties[c]["x-references"])) continue;
  const body = Object.fromEntries(required.map((c) => [c, sample(ins.properties[c])]));
  const fk = Object.entries(ins.properties).find(([, p]) => p["x-references"]);
  if (fk && !brokenKey) {
    const r = await get(path, { method: "POST", body: JSON.stringify({ ...body, [fk[0]]: 987654321 }),
                                headers: { "Content-Type": "application/json" } });
    const key = r.body && r.body.key;
    if (r.status !== 409 || !key || key.column !== fk[0] ||
        key.parent_table !== fk[1]["x-references"].table || key.value !== "987654321")
      fail(`POST ${path} with ${fk[0]} = 987654321: ${r.status} ${JSON.stringify(r.body)}`);
    brokenKey = true;
  }
  if (inserted) continue;
  const r = await get(path, { method: "POST", body: JSON.stringify(body),
                              headers: { "Content-Type": "application/json",
                                         Prefer: "return=representation" } });
  if (r.status !== 201) {
    fail(`POST ${path} ${JSON.stringify(body)}: ${r.status} ${JSON.stringify(r.body)}`);
    continue;
  }
  const loc = r.headers.get("location");
  if (loc && doc.paths[path].post) {
    const del = await fetch(base + loc.slice(doc.servers[0].url.replace(/\/$/, "").length), { method: "DELETE" });
    if (del.status !== 204) fail(`DELETE ${loc}: ${del.status}`);
  }
  inserted = true;
}
if (!inserted) fail("no table could take an insert from its schema");
if (!brokenKey) fail("no foreign key was tried");

const nf = await get("/no_such_table");
const err = schemas.Error;
if (nf.status !== 404 || !err.required.every((k) => typeof nf.body[k] === "string"))
  fail(`GET /no_such_table: ${nf.status} ${JSON.stringify(nf.body)}`);

console.log(`openapi ${doc.openapi}: valid; ${tables} tables, ${rowsChecked} rows checked, ` +
            `an insert, a broken key and an error driven from it`);
process.exit(failures ? 1 : 0);
