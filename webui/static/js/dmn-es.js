/* dmn-js in Spanish: its texts go through a "translate" service (diagram-js's convention);
   this one answers the words an analyst sees in the decision table editor, and leaves the
   rest as dmn-js writes them. */
(function () {
  "use strict";

  var ES = {
    "View DRD": "Ver el DRD", "When": "Cuando", "And": "Y", "Then": "Entonces",
    "Annotations": "Anotaciones", "Annotation": "Anotación", "Hit policy": "Política de aciertos",
    "Hit policy:": "Política de aciertos:", "Decision name": "Nombre de la decisión",
    "Decision name: ": "Nombre de la decisión: ", "Add rule": "Agregar fila", "Add rule above": "Agregar fila arriba",
    "Add rule below": "Agregar fila abajo", "Remove rule": "Quitar la fila", "Copy rule": "Copiar la fila",
    "Cut rule": "Cortar la fila", "Paste rule above": "Pegar la fila arriba", "Paste rule below": "Pegar la fila abajo",
    "Add input": "Agregar entrada", "Add output": "Agregar salida", "Add input column left": "Agregar entrada a la izquierda",
    "Add input column right": "Agregar entrada a la derecha", "Add output column left": "Agregar salida a la izquierda",
    "Add output column right": "Agregar salida a la derecha", "Remove input column": "Quitar la entrada",
    "Remove output column": "Quitar la salida", "Input": "Entrada", "Output": "Salida",
    "Input label": "Etiqueta de la entrada", "Input expression": "Expresión de la entrada",
    "Output label": "Etiqueta de la salida", "Output name": "Nombre de la salida", "Type": "Tipo",
    "Input type": "Tipo de la entrada", "Output type": "Tipo de la salida", "Expression": "Expresión",
    "Expression language": "Lenguaje de la expresión", "Yes": "Sí", "No": "No", "Value": "Valor",
    "Values": "Valores", "Edit": "Editar", "Add cell description": "Agregar descripción de la celda",
    "Remove cell description": "Quitar la descripción de la celda", "Strings must be in double quotes":
      "Los textos van entre comillas dobles", "Enter expression": "Escriba la expresión"
  };

  window.SecopDmnSpanish = {
    translate: ["value", function (template, replacements) {
      var text = ES[template] || template;
      return text.replace(/{([^}]+)}/g, function (_, key) { return (replacements || {})[key] || "{" + key + "}"; });
    }]
  };
})();
