/* The moddle descriptor of the spiffworkflow: extensions the engine reads (SpiffWorkflow's
   spiffworkflow.xsd), so the modeler reads, edits and writes them as typed elements instead
   of opaque XML. Every element of the schema is here: one missing would not round-trip. */
(function () {
  "use strict";

  function body(name) {
    return { name: name, superClass: ["Element"], properties: [{ name: "value", type: "String", isBody: true }] };
  }

  window.SecopSpiffModdle = {
    name: "SpiffWorkflow",
    uri: "http://spiffworkflow.org/bpmn/schema/1.0/core",
    prefix: "spiffworkflow",
    xml: { tagAlias: "lowerCase" },
    associations: [],
    types: [
      body("CalledDecisionId"), body("InstructionsForEndUser"), body("MessagePayload"), body("MessageVariable"),
      body("PayloadExpression"), body("VariableName"), body("PreScript"), body("PostScript"),
      body("PropertyId"), body("Expression"),
      { name: "Properties", superClass: ["Element"],
        properties: [{ name: "properties", type: "Property", isMany: true }] },
      { name: "Property", superClass: ["Element"],
        properties: [{ name: "name", type: "String", isAttr: true }, { name: "value", type: "String", isAttr: true }] },
      { name: "ServiceTaskOperator", superClass: ["Element"],
        properties: [
          { name: "id", type: "String", isAttr: true },
          { name: "resultVariable", type: "String", isAttr: true },
          { name: "parameterList", type: "Parameters" },
          { name: "retry", type: "Retry" }
        ] },
      { name: "Parameters", superClass: ["Element"],
        properties: [{ name: "parameters", type: "Parameter", isMany: true }] },
      { name: "Parameter", superClass: ["Element"],
        properties: [
          { name: "id", type: "String", isAttr: true },
          { name: "type", type: "String", isAttr: true },
          { name: "value", type: "String", isAttr: true }
        ] },
      { name: "Retry", superClass: ["Element"],
        properties: [
          { name: "retries", type: "String", isAttr: true },
          { name: "backoff_base", type: "String", isAttr: true }
        ] },
      { name: "ProcessVariableCorrelation", superClass: ["Element"],
        properties: [{ name: "propertyId", type: "PropertyId" }, { name: "expression", type: "Expression" }] },
      { name: "UnitTests", superClass: ["Element"],
        properties: [{ name: "unitTests", type: "UnitTest", isMany: true }] },
      { name: "UnitTest", superClass: ["Element"],
        properties: [
          { name: "id", type: "String", isAttr: true },
          { name: "inputJson", type: "InputJson" },
          { name: "expectedOutputJson", type: "ExpectedOutputJson" }
        ] },
      body("InputJson"), body("ExpectedOutputJson")
    ]
  };
})();
