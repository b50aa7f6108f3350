'use strict';
/* The reader's plotly.js, built at set-up by build.mjs: scatter and bar traces on cartesian axes,
   annotations, shapes and hover/click events. No legend, modebar, rangeslider, menus or sliders.
   Exposes window.Plotly with the plot API (react, newPlot, purge, relayout, ...), Plots.resize and Fx. */

require('plotly.js/build/plotcss');

var Registry = require('plotly.js/src/registry');
var plotApi = require('plotly.js/src/plot_api/plot_api');
var Plots = require('plotly.js/src/plots/plots');
var Fx = require('plotly.js/src/components/fx');

var Plotly = { version: require('plotly.js/src/version').version, register: Registry.register };

Object.keys(plotApi).forEach(function (name) {
  if (name.charAt(0) !== '_') Plotly[name] = plotApi[name];
  Registry.register({ moduleType: 'apiMethod', name: name, fn: plotApi[name] });
});

Registry.register([require('plotly.js/src/traces/scatter'), require('plotly.js/src/traces/bar')]);

// Order as in plotly.js/src/core.js; fx comes after the others, whose defaults it reads.
Registry.register([
  require('plotly.js/src/components/annotations'),
  require('plotly.js/src/components/selections'),
  require('plotly.js/src/components/shapes'),
  require('plotly.js/src/components/colorscale'),
  Fx,
  require('plotly.js/src/components/modebar'),
]);

Registry.register([require('plotly.js/src/locale-en'), require('plotly.js/src/locale-en-us')]);

Plotly.Plots = { resize: Plots.resize };
Plotly.Fx = { hover: Fx.hover, unhover: Fx.unhover, loneHover: Fx.loneHover, loneUnhover: Fx.loneUnhover };

module.exports = Plotly;
