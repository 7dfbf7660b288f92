/*
 * Starts GraphiQL (the globals React, ReactDOM, graphqlWs and GraphiQL come from the scripts
 * before this one) with the settings the gateway put in the page (src/ide/ideSettings.ts).
 * A file, not an inline script, so that the page's policy can allow scripts from 'self' only.
 */
(function () {
  'use strict';
  var settings = JSON.parse(document.getElementById('graphiql-settings').textContent);
  var endpoint = new URL('/graphql', window.location.href);
  var webSocketUrl = new URL(endpoint.href);
  webSocketUrl.protocol = endpoint.protocol === 'https:' ? 'wss:' : 'ws:';
  var fetcher = GraphiQL.createFetcher({
    url: endpoint.href,
    // Subscriptions carry the development token, when there is one, in connectionParams:
    // the headers pane applies to HTTP requests only.
    wsClient: graphqlWs.createClient({
      url: webSocketUrl.href,
      lazy: true,
      connectionParams: settings.connectionParams || undefined,
    }),
  });
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: settings.defaultQuery,
      defaultHeaders: settings.defaultHeaders,
      defaultTabs: settings.defaultTabs,
      // Headers are not kept in localStorage: a reload takes the fresh token of the page.
      shouldPersistHeaders: false,
      defaultEditorToolsVisibility: settings.defaultHeaders ? 'headers' : true,
    }),
  );
})();
