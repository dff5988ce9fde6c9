export { diff } from "bpmn-js-differ";
