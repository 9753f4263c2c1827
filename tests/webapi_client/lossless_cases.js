// The lossless check of contract.js, on answers the client's converters lose something of.
// Prints one line per case: "<name> caught: <message>" or "<name> passed".
"use strict";
const converters = require("@superoffice/webapi/Converters.js");
const { same, ContractError } = require("./contract.js");

const cases = {
  valid: [converters.Create_ErpSyncEngineStatus_From, { IsRunning: true, StatusMessage: "", Interval: "00:15:00" }],
  unknownEnum: [converters.Create_PluginResponse_From, { IsOk: true, Status: "Bogus" }],
  unknownField: [converters.Create_ErpSyncConnectorEntity_From, { ErpConnectorId: 1, Colour: "red" }],
  badDuration: [converters.Create_ErpSyncEngineStatus_From, { IsRunning: true, Interval: "15 minutes" }],
  badDate: [converters.Create_PriceList_From, { PriceListId: 1, ValidFrom: "2026-13-45T00:00:00" }],
};
for (const [name, [convert, raw]] of Object.entries(cases)) {
  try {
    same(raw, convert(JSON.parse(JSON.stringify(raw))), name);
    console.log(`${name} passed`);
  } catch (error) {
    if (!(error instanceof ContractError)) throw error;
    console.log(`${name} caught: ${error.message}`);
  }
}
