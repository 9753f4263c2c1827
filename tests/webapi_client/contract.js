#!/usr/bin/env node
// Drives a served quotesync emulator through SuperOffice's own TypeScript client,
// @superoffice/webapi, the way an integrator's script would: camelCase requests, answers
// converted by the client's own converters.
//
//   node contract.js <base url>          (credentials from QUOTESYNC_TICKET / QUOTESYNC_APP_TOKEN)
//
// Phase "all": reads every method of the Quote/Sync area, then makes one change per managed
// object through the client's write methods, checks each took effect, and prints a JSON report
// on stdout: {"calls": [...], "checked": N, "changes": [{"address", "path"}...]}. The pytest side
// (test_contract.py) then runs `quotesync drift` and expects exactly those changes.
// Any refused request, agent Message, or answer the converters lose a field of: exit 1.
"use strict";

process.env.TZ = "UTC"; // the converters parse dates as local time
const { ErpSyncAgent, QuoteAgent, MDOAgent, ListAgent, mkDuration } = require("@superoffice/webapi");

const baseUrl = process.argv[2] || "http://127.0.0.1:9/"; // required when run, not when required
const headers = {};
if (process.env.QUOTESYNC_TICKET) headers.Authorization = `SOTicket ${process.env.QUOTESYNC_TICKET}`;
if (process.env.QUOTESYNC_APP_TOKEN) headers["SO-AppToken"] = process.env.QUOTESYNC_APP_TOKEN;
const config = { headers, timeout: 10000 };
const erp = new ErpSyncAgent(baseUrl, config);
const quote = new QuoteAgent(baseUrl, config);
const list = new ListAgent(baseUrl, config);
const mdo = new MDOAgent(baseUrl, config);

// Secret values the CRM holds (CONTRACT_SECRETS, comma-separated): no answer may carry one.
const secrets = (process.env.CONTRACT_SECRETS || "").split(",").filter(Boolean);
const calls = [];
let checked = 0;
const changes = [];

class ContractError extends Error {}
function fail(message) {
  throw new ContractError(message);
}
function expect(condition, message) {
  if (!condition) fail(message);
}

// --- lossless conversion: every field the emulator sent survives the client's converters ----

function seconds(text) {
  const clock = /^(\d+):(\d+):(\d+)$/.exec(text);
  return clock ? +clock[1] * 3600 + +clock[2] * 60 + +clock[3] : NaN;
}

function same(raw, converted, where) {
  checked += 1;
  if (raw === null || raw === undefined) {
    expect(converted === null || converted === undefined, `${where}: null became ${converted}`);
    return;
  }
  if (converted instanceof Date) {
    expect(new Date(raw).getTime() === converted.getTime(), `${where}: date ${raw} became ${converted}`);
    return;
  }
  if (converted && typeof converted === "object" && typeof converted.asSeconds === "function") {
    expect(seconds(raw) === converted.asSeconds(), `${where}: duration ${raw} became ${converted.toISOString()}`);
    return;
  }
  if (Array.isArray(raw)) {
    expect(Array.isArray(converted) && converted.length === raw.length, `${where}: array lost items`);
    raw.forEach((item, i) => same(item, converted[i], `${where}[${i}]`));
    return;
  }
  if (typeof raw === "object") {
    expect(converted && typeof converted === "object", `${where}: object became ${converted}`);
    const keys = Object.keys(converted);
    for (const key of Object.keys(raw)) {
      const match = keys.find((k) => k.toLowerCase() === key.toLowerCase());
      expect(match !== undefined, `${where}: the client's converter dropped '${key}'`);
      same(raw[key], converted[match], `${where}.${key}`);
    }
    return;
  }
  if (typeof raw === "string" && typeof converted === "number") {
    // a [Flags] enum such as TableRight.Mask: "Select, Update" -> 3
    expect(converted > 0 || raw === "", `${where}: flags '${raw}' became ${converted}`);
    return;
  }
  expect(raw === converted, `${where}: ${JSON.stringify(raw)} became ${JSON.stringify(converted)}`);
}

// Call a client method; check the raw answer against what its converter made of it.
async function call(agent, name, method, ...args) {
  let raw;
  const options = { responseCallback: (response) => { raw = response.data; } };
  let result;
  try {
    result = await agent[method](...args, options);
  } catch (error) {
    const status = error.response ? error.response.status : "no answer";
    const body = error.response ? JSON.stringify(error.response.data) : String(error);
    fail(`${name}: the emulator refused the client's request (${status}): ${body}`);
  }
  calls.push(name);
  const text = JSON.stringify(raw) || "";
  for (const secret of secrets) {
    if (text.includes(secret)) fail(`${name}: an answer carried a stored secret in clear`);
  }
  if (raw && typeof raw === "object" && !Array.isArray(raw) && "Message" in raw && "MessageDetail" in raw) {
    fail(`${name}: answered a Message: ${raw.Message} ${raw.MessageDetail}`);
  }
  if (raw !== undefined && raw !== "" && result !== undefined && typeof raw !== "boolean") {
    same(raw, result, name);
  }
  return result;
}

function changed(address, path) {
  changes.push({ address, path });
}

function byName(items, name, what) {
  const found = items.find((i) => i.displayName === name || i.name === name || i.fieldName === name);
  expect(found, `${what} '${name}' not found`);
  return found;
}

// --- reads -------------------------------------------------------------------------------

async function reads() {
  const connectors = await call(erp, "ErpSync/GetAllConnectors", "getAllConnectorsAsync");
  expect(connectors.length >= 2, "GetAllConnectors: the seeded connectors are missing");
  const connector = await call(erp, "ErpSync/GetErpSyncConnectorEntity", "getErpSyncConnectorEntityAsync", 1);
  expect(connector.uRL.startsWith("https://"), "GetErpSyncConnectorEntity: no URL");
  await call(erp, "ErpSync/CreateDefaultErpSyncConnectorEntity", "createDefaultErpSyncConnectorEntityAsync");
  await call(erp, "ErpSync/TestConnectorUrl", "testConnectorUrlAsync", connector.uRL);
  const fields = await call(erp, "ErpSync/GetConfigurationFields", "getConfigurationFieldsAsync", 1);
  expect(fields.some((f) => f.fieldKey === "password" && f.fieldType === "Password"), "GetConfigurationFields: no password field");

  const live = await call(erp, "ErpSync/GetAllConnections", "getAllConnectionsAsync", false);
  expect(live.length === 2, `GetAllConnections: expected the 2 applied connections, got ${live.length}`);
  const production = byName(live, "Demo ERP – Production", "ERP connection");
  const id = production.erpConnectionId;
  const one = await call(erp, "ErpSync/GetConnection", "getConnectionAsync", id);
  expect(one && one.displayName === production.displayName, "GetConnection: not the connection asked for");
  const values = await call(erp, "ErpSync/GetErpConnectionConfigFields", "getErpConnectionConfigFieldsAsync", id);
  expect(values.password === "********", "GetErpConnectionConfigFields: a password must read masked");
  expect((await call(erp, "ErpSync/TestConnectionById", "testConnectionByIdAsync", id)) === true, "TestConnectionById: false");
  expect((await call(erp, "ErpSync/TestConnectionByConfig", "testConnectionByConfigAsync", id, {})) === true, "TestConnectionByConfig: false");
  const mapping = await call(erp, "ErpSync/GetActorTypeMapping", "getActorTypeMappingAsync", id, "Customer");
  expect(mapping.fieldMappings.length > 0, "GetActorTypeMapping: no field mappings");
  await call(erp, "ErpSync/GetDefaultValueInfo", "getDefaultValueInfoAsync", mapping.fieldMappings[0].erpFieldId);
  await call(erp, "ErpSync/GetConnectionListMappings", "getConnectionListMappingsAsync", id);
  const summary = await call(erp, "ErpSync/GetErpSyncConnectionSummary", "getErpSyncConnectionSummaryAsync", id);
  const customer = summary.actors.find((a) => a.actorType === "Customer");
  expect(customer && customer.hasMappings && customer.mappings.includes("email"), "GetErpSyncConnectionSummary: Customer mappings missing");
  expect((await call(erp, "ErpSync/GetCrmActorType", "getCrmActorTypeAsync", id, "Customer")) === "Contact", "GetCrmActorType: not Contact");
  const newActor = await call(erp, "ErpSync/GetFieldsForNewErpActor", "getFieldsForNewErpActorAsync", id, "Customer");
  expect(newActor.some((f) => f.fieldKey === "customerNo" && f.access === "Mandatory"), "GetFieldsForNewErpActor: customerNo missing");
  expect((await call(erp, "ErpSync/SupportsAdvancedSearch", "supportsAdvancedSearchAsync", id, "Customer")) === false, "SupportsAdvancedSearch: true");
  expect((await call(erp, "ErpSync/UpdateConnectionFields", "updateConnectionFieldsAsync", id)) === true, "UpdateConnectionFields: false");
  expect((await call(erp, "ErpSync/CanDeleteErpSyncConnectorEntity", "canDeleteErpSyncConnectorEntityAsync", production.erpConnectorId)) === "ErrorConnectorHasConnections", "CanDeleteErpSyncConnectorEntity: a used connector must not be deletable");
  const engine = await call(erp, "ErpSync/GetEngineStatus", "getEngineStatusAsync");
  expect(engine.interval.asMinutes() === 15, `GetEngineStatus: interval ${engine.interval.toISOString()}`);

  const installed = await call(quote, "Quote/GetAllInstalledQuoteConnections", "getAllInstalledQuoteConnectionsAsync");
  const erpQuotes = byName(installed, "ERP Quotes", "quote connection");
  await call(quote, "Quote/GetAllAvailableQuoteConnections", "getAllAvailableQuoteConnectionsAsync");
  await call(quote, "Quote/GetAllAvailableQuoteConnectionsWithPriceLists", "getAllAvailableQuoteConnectionsWithPriceListsAsync");
  expect((await call(quote, "Quote/HasConnections", "hasConnectionsAsync")).isOk === true, "HasConnections: not ok");
  const forAnna = await call(quote, "Quote/GetConnectionsForAssociate", "getConnectionsForAssociateAsync", 2);
  expect(Array.isArray(forAnna), "GetConnectionsForAssociate: no array");
  const template = await call(quote, "Quote/CreateConnectionFromConnectorName", "createConnectionFromConnectorNameAsync", "CrmQuoteConnector");
  expect(template.quoteConnectionId === 0 && template.connectorName === "CrmQuoteConnector", "CreateConnectionFromConnectorName: not a new connection of that connector");
  await call(quote, "Quote/GetConnection", "getConnectionAsync", erpQuotes.quoteConnectionId);
  await call(quote, "Quote/GetConnectionConfigFields", "getConnectionConfigFieldsAsync", erpQuotes.quoteConnectionId);
  await call(quote, "Quote/GetConfigurationFields", "getConfigurationFieldsAsync", 0, "DemoErpQuote");
  const startup = await call(quote, "Quote/GetConnectionStartupResponse", "getConnectionStartupResponseAsync", erpQuotes.quoteConnectionId);
  expect(startup.isOk === true, `GetConnectionStartupResponse: ${startup.userExplanation}`);
  expect((await call(quote, "Quote/GetConnectionStartupErrors", "getConnectionStartupErrorsAsync")).length === 0, "GetConnectionStartupErrors: the applied connection failed");
  await call(quote, "Quote/GetConnectorCapabilityNames", "getConnectorCapabilityNamesAsync", erpQuotes.quoteConnectionId);
  await call(quote, "Quote/GetConnectorCapabilities", "getConnectorCapabilitiesAsync", erpQuotes.quoteConnectionId);
  await call(quote, "Quote/CanConnectorProvideCapability", "canConnectorProvideCapabilityAsync", erpQuotes.quoteConnectionId, "ProductImages");
  const test = await call(quote, "Quote/TestConnection", "testConnectionAsync", "DemoErpQuote", {
    baseUrl: "https://erp.example.com/quote", apiUser: "demo", apiPassword: "wrong",
  });
  expect(test.isOk === false && test.userExplanation, "TestConnection: a wrong password must fail, saying why");

  const lists = await call(quote, "Quote/GetAllPriceLists", "getAllPriceListsAsync", 0, "");
  const nok = byName(lists, "Standard NOK 2026", "price list");
  await call(quote, "Quote/GetActivePriceLists", "getActivePriceListsAsync", 0, "NOK");
  await call(quote, "Quote/GetPriceList", "getPriceListAsync", nok.priceListId);
  await call(quote, "Quote/CreateDefaultPriceList", "createDefaultPriceListAsync");
  await call(quote, "Quote/CreateDefaultProduct", "createDefaultProductAsync");

  const lines = await call(quote, "Quote/GetAllQuoteLineConfigurations", "getAllQuoteLineConfigurationsAsync");
  await call(quote, "Quote/GetInUseQuoteLineConfigurations", "getInUseQuoteLineConfigurationsAsync");
  await call(quote, "Quote/GetQuoteLineConfiguration", "getQuoteLineConfigurationAsync", lines[0].quoteLineConfigurationId);
  await call(quote, "Quote/GetQuoteLineConfigurationFromFieldName", "getQuoteLineConfigurationFromFieldNameAsync", "VAT");

  const associates = await call(mdo, "MDO/GetList", "getListAsync", "associate", true, "", false);
  expect(associates.some((a) => a.name === "ANNA"), "MDO/GetList: the seeded users are missing");
  await call(mdo, "MDO/GetSimpleList", "getSimpleListAsync", "usergroup");
  await call(mdo, "MDO/GetListItem", "getListItemAsync", "associate", associates[0].id);

  const saleTypes = await call(list, "List/GetAllSaleTypeEntities", "getAllSaleTypeEntitiesAsync", false);
  expect(saleTypes.some((s) => s.name === "Hardware"), "List/GetAllSaleTypeEntities: the seeded sale types are missing");
  const standard = await call(list, "List/GetSaleTypeEntity", "getSaleTypeEntityAsync", saleTypes[0].saleTypeId);
  await call(list, "List/CreateDefaultSaleTypeEntity", "createDefaultSaleTypeEntityAsync");
  await call(list, "List/GetAllDocumentTemplates", "getAllDocumentTemplatesAsync", false);
  const saved = await call(list, "List/SaveSaleTypeEntity", "saveSaleTypeEntityAsync", standard);
  expect(saved.stages.length === standard.stages.length, "List/SaveSaleTypeEntity: the stages were lost");
  return { production, live, erpQuotes, nok };
}

// --- writes: one change per managed object, each read back --------------------------------

async function writes({ production, live, erpQuotes }) {
  // ERP connection description, through SaveConnection with the carrier as read
  const accounting = byName(live, "Demo Accounting", "ERP connection");
  const full = await call(erp, "ErpSync/GetConnection", "getConnectionAsync", accounting.erpConnectionId);
  full.displayDescription = "Changed through @superoffice/webapi";
  await call(erp, "ErpSync/SaveConnection", "saveConnectionAsync", full);
  const back = await call(erp, "ErpSync/GetConnection", "getConnectionAsync", accounting.erpConnectionId);
  expect(back.displayDescription === full.displayDescription, "SaveConnection: the change did not land");
  changed("ErpConnection/Demo Accounting", "description");

  // a field mapping's direction
  const id = production.erpConnectionId;
  const mapping = await call(erp, "ErpSync/GetActorTypeMapping", "getActorTypeMappingAsync", id, "Customer");
  const email = mapping.fieldMappings.find((f) => f.erpFieldKey === "email");
  expect(email && email.syncToErp, "the example maps Customer/email both ways");
  email.syncToErp = false;
  await call(erp, "ErpSync/SaveActorTypeMapping", "saveActorTypeMappingAsync", mapping);
  const remapped = await call(erp, "ErpSync/GetActorTypeMapping", "getActorTypeMappingAsync", id, "Customer");
  expect(remapped.fieldMappings.find((f) => f.erpFieldKey === "email").syncToErp === false, "SaveActorTypeMapping: the change did not land");
  changed("ErpConnection/Demo ERP – Production", "actors.Customer.mappings.email.direction");

  // the sync priority, and the engine interval sent as a dayjs duration (ISO-8601 on the wire)
  const ids = live.map((c) => c.erpConnectionId).reverse();
  expect((await call(erp, "ErpSync/SaveErpConnectionSyncPriorities", "saveErpConnectionSyncPrioritiesAsync", ids)) === true, "SaveErpConnectionSyncPriorities: false");
  const reordered = await call(erp, "ErpSync/GetAllConnections", "getAllConnectionsAsync", false);
  expect(reordered.map((c) => c.erpConnectionId).join() === ids.join(), "SaveErpConnectionSyncPriorities: the order did not change");
  await call(erp, "ErpSync/ChangeEngineInterval", "changeEngineIntervalAsync", mkDuration(20, "minutes"));
  const engine = await call(erp, "ErpSync/GetEngineStatus", "getEngineStatusAsync");
  expect(engine.interval.asMinutes() === 20, "ChangeEngineInterval: the interval did not change");
  await call(erp, "ErpSync/ChangeEngineStatus", "changeEngineStatusAsync", true);
  changed("SyncSettings/default", "priority");
  changed("SyncSettings/default", "interval");

  // a quote connection: soft-delete and restore (no net change), then its config
  const qid = erpQuotes.quoteConnectionId;
  await call(quote, "Quote/DeleteConnection", "deleteConnectionAsync", qid);
  expect((await call(quote, "Quote/GetConnection", "getConnectionAsync", qid)).deleted === true, "Quote DeleteConnection: not deleted");
  await call(quote, "Quote/RestoreConnection", "restoreConnectionAsync", qid);
  expect((await call(quote, "Quote/GetConnection", "getConnectionAsync", qid)).deleted === false, "RestoreConnection: still deleted");
  await call(quote, "Quote/SaveConnectionConfigFields", "saveConnectionConfigFieldsAsync", qid, { baseUrl: "https://erp.example.com/quote-v2" });
  const qconfig = await call(quote, "Quote/GetConnectionConfigFields", "getConnectionConfigFieldsAsync", qid);
  expect(qconfig.baseUrl === "https://erp.example.com/quote-v2", "SaveConnectionConfigFields: the change did not land");
  changed("QuoteConnection/ERP Quotes", "config.baseUrl");

  // a quote connection nobody manages
  const template = await call(quote, "Quote/CreateConnectionFromConnectorName", "createConnectionFromConnectorNameAsync", "CrmQuoteConnector");
  template.displayName = "Made by webapi";
  const made = await call(quote, "Quote/SaveConnection", "saveConnectionAsync", template);
  expect(made.quoteConnectionId > 0, "Quote SaveConnection: no connection was created");
  changed("unmanaged/Made by webapi", "");

  // a price list's description, and a product's price
  const lists = await call(quote, "Quote/GetAllPriceLists", "getAllPriceListsAsync", 0, "");
  const eur = byName(lists, "Services EUR 2026", "price list");
  eur.description = "Changed through @superoffice/webapi";
  await call(quote, "Quote/SavePriceList", "savePriceListAsync", eur);
  const eurBack = await call(quote, "Quote/GetPriceList", "getPriceListAsync", eur.priceListId);
  expect(eurBack.description === eur.description, "SavePriceList: the change did not land");
  expect(eurBack.validFrom.getTime() === eur.validFrom.getTime(), "SavePriceList: ValidFrom moved");
  changed("PriceList/Services EUR 2026", "description");

  const nok = byName(lists, "Standard NOK 2026", "price list");
  const product = await findProduct(nok, "HW-1002");
  product.unitListPrice = 1.5;
  await call(quote, "Quote/SaveProduct", "saveProductAsync", product);
  const productBack = await call(quote, "Quote/GetProductFromDbId", "getProductFromDbIdAsync", product.productId);
  expect(productBack.unitListPrice === 1.5, "SaveProduct: the change did not land");
  await call(quote, "Quote/GetProduct", "getProductAsync", 0, productBack.erpProductKey);
  changed("PriceList/Standard NOK 2026", "products.HW-1002.listPrice");

  // a quote line setting
  const vat = await call(quote, "Quote/GetQuoteLineConfigurationFromFieldName", "getQuoteLineConfigurationFromFieldNameAsync", "DiscountPercent");
  vat.label = "Rebate %";
  await call(quote, "Quote/SaveQuoteLineConfiguration", "saveQuoteLineConfigurationAsync", vat);
  const all = await call(quote, "Quote/SaveQuoteLineConfigurations", "saveQuoteLineConfigurationsAsync", []);
  expect(Array.isArray(all), "SaveQuoteLineConfigurations: no array");
  const vatBack = await call(quote, "Quote/GetQuoteLineConfiguration", "getQuoteLineConfigurationAsync", vat.quoteLineConfigurationId);
  expect(vatBack.label === "Rebate %", "SaveQuoteLineConfiguration: the change did not land");
  changed("ProductFieldSettings/default", "fields.DiscountPercent.label");
}

// --- round trips: writes that end where they began (drift must stay quiet about them) -------

async function roundTrips({ production }) {
  const id = production.erpConnectionId;
  const order = async () =>
    (await call(erp, "ErpSync/GetActorTypeMapping", "getActorTypeMappingAsync", id, "Customer")).fieldMappings;
  const before = await order();
  const second = before[1];
  await call(erp, "ErpSync/MoveErpFieldItem", "moveErpFieldItemAsync", second.erpFieldId, 1, id, "Customer");
  expect((await order())[2].erpFieldId === second.erpFieldId, "MoveErpFieldItem: the field did not move down");
  await call(erp, "ErpSync/MoveErpFieldItem", "moveErpFieldItemAsync", second.erpFieldId, -1, id, "Customer");
  expect((await order())[1].erpFieldId === second.erpFieldId, "MoveErpFieldItem: the field did not move back");

  const country = before.find((f) => f.erpFieldKey === "country");
  const info = await call(erp, "ErpSync/GetDefaultValueInfo", "getDefaultValueInfoAsync", country.erpFieldId);
  const original = info.defaultValue;
  info.defaultValue = "SE";
  await call(erp, "ErpSync/SaveDefaultValueInfo", "saveDefaultValueInfoAsync", info);
  const changedInfo = await call(erp, "ErpSync/GetDefaultValueInfo", "getDefaultValueInfoAsync", country.erpFieldId);
  expect(changedInfo.defaultValue === "SE", "SaveDefaultValueInfo: the change did not land");
  changedInfo.defaultValue = original;
  await call(erp, "ErpSync/SaveDefaultValueInfo", "saveDefaultValueInfoAsync", changedInfo);

  const lists = await call(erp, "ErpSync/GetConnectionListMappings", "getConnectionListMappingsAsync", id);
  const saved = await call(erp, "ErpSync/SaveConnectionListMappings", "saveConnectionListMappingsAsync", lists);
  expect(JSON.stringify(saved.erpListItemMappings) === JSON.stringify(lists.erpListItemMappings), "SaveConnectionListMappings: saving what was read changed it");

  const off = await call(erp, "ErpSync/ToggleErpConnectionActive", "toggleErpConnectionActiveAsync", id);
  expect(Array.isArray(off) && off.length === 0, `ToggleErpConnectionActive (off): ${off}`);
  expect((await call(erp, "ErpSync/GetConnection", "getConnectionAsync", id)).active === false, "ToggleErpConnectionActive: still active");
  const on = await call(erp, "ErpSync/ToggleErpConnectionActive", "toggleErpConnectionActiveAsync", id);
  expect(Array.isArray(on) && on.length === 0, `ToggleErpConnectionActive (on): ${on}`);

  // an ERP connection created, tested and soft-deleted again; GetAllConnections(true) still lists it
  const accountingConfig = { apiUrl: "https://accounting.example.com", clientId: "c-1", apiKey: "demo-api-key" };
  expect((await call(erp, "ErpSync/TestConnectionByConfig", "testConnectionByConfigAsync", 0, accountingConfig)) === true, "TestConnectionByConfig (new): false");
  const shell = await call(erp, "ErpSync/SaveConnection", "saveConnectionAsync", {
    erpConnectionId: 0, erpConnectorId: 2, displayName: "Scratch webapi", configFields: accountingConfig, allAccess: true,
  });
  expect(shell.erpConnectionId > 0 && shell.active === false, "SaveConnection: a new connection starts saved and inactive");
  await call(erp, "ErpSync/DeleteConnection", "deleteConnectionAsync", shell.erpConnectionId);
  const current = await call(erp, "ErpSync/GetAllConnections", "getAllConnectionsAsync", false);
  expect(!current.some((c) => c.erpConnectionId === shell.erpConnectionId), "GetAllConnections(false) lists a deleted connection");
  const everything = await call(erp, "ErpSync/GetAllConnections", "getAllConnectionsAsync", true);
  const gone = everything.find((c) => c.erpConnectionId === shell.erpConnectionId);
  expect(gone && gone.deleted === true, "GetAllConnections(includeDeleted: true) must list the deleted connection");

  // a connector registered and removed again (soft delete: the CRM keeps it, marked Deleted)
  const entity = await call(erp, "ErpSync/CreateDefaultErpSyncConnectorEntity", "createDefaultErpSyncConnectorEntityAsync");
  entity.displayName = "Scratch connector";
  entity.uRL = "https://connectors.example.com/demo-erp";
  const registered = await call(erp, "ErpSync/SaveErpSyncConnectorEntity", "saveErpSyncConnectorEntityAsync", entity);
  expect(registered.erpConnectorId > 0, "SaveErpSyncConnectorEntity: nothing registered");
  await call(erp, "ErpSync/DeleteErpSyncConnectorEntity", "deleteErpSyncConnectorEntityAsync", registered.erpConnectorId);
  const removed = await call(erp, "ErpSync/GetErpSyncConnectorEntity", "getErpSyncConnectorEntityAsync", registered.erpConnectorId);
  expect(removed.deleted === true, "DeleteErpSyncConnectorEntity: not deleted");
  // how quotesync finds a soft-deleted connector: not listed, but named by the connections
  // (deleted ones too) through erpConnectorId, and its entity answers deleted
  const listedNow = await call(erp, "ErpSync/GetAllConnectors", "getAllConnectorsAsync");
  expect(!listedNow.some((c) => c.id === registered.erpConnectorId), "GetAllConnectors lists a soft-deleted connector");
  expect(gone.erpConnectorId === 2, "GetAllConnections(true): a deleted connection must still name its connector");

  // a scratch price list with two products, removed again by the agent's delete methods
  const draft = await call(quote, "Quote/CreateDefaultPriceList", "createDefaultPriceListAsync");
  Object.assign(draft, { name: "Scratch list", currency: "SEK" });
  const scratch = await call(quote, "Quote/SavePriceList", "savePriceListAsync", draft);
  expect(scratch.priceListId > 0, "SavePriceList: nothing created");
  const sek = (await call(mdo, "MDO/GetList", "getListAsync", "currency", true, "", false)).find((c) => c.name === "SEK");
  const bySek = await call(quote, "Quote/GetAllPriceListsByCurrencyId", "getAllPriceListsByCurrencyIdAsync", 0, sek.id);
  expect(bySek.some((p) => p.priceListId === scratch.priceListId), "GetAllPriceListsByCurrencyId: the SEK list is missing");
  await call(quote, "Quote/GetActivePriceListsByCurrencyId", "getActivePriceListsByCurrencyIdAsync", 0, sek.id);
  const products = [];
  for (const code of ["S-1", "S-2"]) {
    const product = await call(quote, "Quote/CreateDefaultProduct", "createDefaultProductAsync");
    Object.assign(product, { code, name: code, erpPriceListKey: scratch.erpPriceListKey, unitListPrice: 10 });
    products.push(await call(quote, "Quote/SaveProduct", "saveProductAsync", product));
  }
  await call(quote, "Quote/ToggleProductInAssortment", "toggleProductInAssortmentAsync", products[0].productId);
  const toggled = await call(quote, "Quote/GetProductFromDbId", "getProductFromDbIdAsync", products[0].productId);
  expect(toggled.inAssortment === false, "ToggleProductInAssortment: still in assortment");
  await call(quote, "Quote/RemoveProduct", "removeProductAsync", products[0].productId);
  await call(quote, "Quote/DeleteProduct", "deleteProductAsync", products[1].productId);
  for (const product of products) {
    expect((await quote.getProductFromDbIdAsync(product.productId)) === null, `product ${product.code} was not removed`);
  }
  await call(quote, "Quote/DeletePriceList", "deletePriceListAsync", scratch.priceListId);
  expect((await quote.getPriceListAsync(scratch.priceListId)) === null, "DeletePriceList: the list is still there");

  // the remaining MDO readers
  await call(mdo, "MDO/GetListWithHistory", "getListWithHistoryAsync", "usergroup", true, "", [], false);
  const sales = await call(mdo, "MDO/GetListWithRestriction", "getListWithRestrictionAsync", "usergroup", "", "Sal");
  expect(sales.length === 1 && sales[0].name === "Sales", "MDO/GetListWithRestriction: not filtered");
  await call(mdo, "MDO/GetSelectableList", "getSelectableListAsync", "usergroup", true, "", false);
  await call(mdo, "MDO/GetSelectableSimpleList", "getSelectableSimpleListAsync", "usergroup");
  await call(mdo, "MDO/GetSelectableListWithHistory", "getSelectableListWithHistoryAsync", "usergroup", true, "", [], false);
  await call(mdo, "MDO/GetSelectableListWithRestriction", "getSelectableListWithRestrictionAsync", "usergroup", "", "Sal");
}

async function findProduct(priceList, code) {
  // The client has no REST API for products; the agent finds a product by its database id.
  for (let productId = 1; productId < 200; productId += 1) {
    const product = await quote.getProductFromDbIdAsync(productId);
    if (product && product.code === code && product.erpPriceListKey === priceList.erpPriceListKey) {
      return call(quote, "Quote/GetProductFromDbId", "getProductFromDbIdAsync", productId);
    }
  }
  return fail(`product ${code} of ${priceList.name} not found`);
}

module.exports = { same, ContractError };

if (require.main === module) (async () => {
  if (!process.argv[2]) {
    console.error("usage: node contract.js <base url>");
    process.exit(1);
  }
  try {
    const found = await reads();
    await roundTrips(found);
    await writes(found);
    process.stdout.write(JSON.stringify({ calls: [...new Set(calls)].sort(), checked, changes }) + "\n");
  } catch (error) {
    console.error(error instanceof ContractError ? error.message : error.stack || String(error));
    process.exit(1);
  }
})();
