// Starts GraphiQL against the gateway that served this page. The bundles before this script set the
// globals React, ReactDOM, GraphiQL and graphqlWs. Queries and mutations go over POST; subscriptions
// over graphql-ws on the same path, with the Authorization header of the header editor sent in
// connection_init (a new token opens a new connection).
(function () {
  'use strict';
  var root = document.getElementById('graphiql');
  var httpUrl = new URL(root.getAttribute('data-graphql-path'), window.location.href).toString();
  var wsUrl = httpUrl.replace(/^http/, 'ws');
  var socket = { authorization: undefined, client: undefined };

  function authorizationOf(headers) {
    var names = Object.keys(headers || {});
    for (var i = 0; i < names.length; i += 1) {
      if (names[i].toLowerCase() === 'authorization') return String(headers[names[i]]);
    }
    return undefined;
  }

  function wsClientFor(authorization) {
    if (!socket.client || socket.authorization !== authorization) {
      if (socket.client) socket.client.dispose();
      socket.authorization = authorization;
      socket.client = graphqlWs.createClient({ url: wsUrl, lazy: true, connectionParams: authorization ? { authorization: authorization } : {} });
    }
    return socket.client;
  }

  function isSubscription(params, opts) {
    var document = opts && opts.documentAST;
    if (!document) return false;
    return document.definitions.some(function (definition) {
      return (
        definition.kind === 'OperationDefinition' &&
        definition.operation === 'subscription' &&
        (!params.operationName || (definition.name && definition.name.value === params.operationName))
      );
    });
  }

  function fetcher(params, opts) {
    var headers = (opts && opts.headers) || {};
    if (isSubscription(params, opts)) return wsClientFor(authorizationOf(headers)).iterate(params);
    return fetch(httpUrl, {
      method: 'POST',
      headers: Object.assign({ 'content-type': 'application/json', accept: 'application/json' }, headers),
      body: JSON.stringify(params),
    }).then(function (response) {
      return response.json();
    });
  }

  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: 'headers',
      defaultHeaders: '{}',
    }),
  );
})();
