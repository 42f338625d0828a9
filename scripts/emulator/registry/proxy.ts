import { connect, createServer, type Server, type Socket } from "node:net";

/**
 * An HTTP CONNECT proxy on loopback that tunnels the region's real registry
 * hosts (`<account>.dkr.ecr.<region>.amazonaws.com:443`) to the stand-in and
 * refuses every other destination. OCI clients (podman, skopeo, crane, docker)
 * take it from HTTPS_PROXY, their own configuration: push never follows
 * registries.conf rewrites, and the registry host has no DNS entry here. TLS
 * is end to end between the client and the stand-in (the proxy sees bytes).
 */
export async function startConnectProxy(hostPattern: string, target: { host: string; port: number }): Promise<{ url: string; close(): Promise<void> }> {
  const suffix = hostPattern.replace(/^\*\./, ".");
  const open = new Set<Socket>();
  const track = (socket: Socket) => {
    open.add(socket);
    socket.on("close", () => open.delete(socket));
  };
  const server: Server = createServer((client) => {
    track(client);
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) {
        if (head.length > 8192) client.destroy();
        return;
      }
      client.off("data", onData);
      const [method, authority] = head.subarray(0, end).toString("latin1").split("\r\n")[0].split(" ");
      const [host, port] = (authority ?? "").split(":");
      const label = host?.slice(0, host.length - suffix.length);
      if (method !== "CONNECT" || port !== "443" || !host?.endsWith(suffix) || !/^\d{12}$/.test(label ?? "")) {
        client.end("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
        return;
      }
      const upstream = connect(target.port, target.host, () => {
        client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        const rest = head.subarray(end + 4);
        if (rest.length) upstream.write(rest);
        client.pipe(upstream).pipe(client);
      });
      track(upstream);
      upstream.on("error", () => client.destroy());
      client.on("error", () => upstream.destroy());
    };
    client.on("data", onData);
    client.on("error", () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        open.forEach((s) => s.destroy());
      }),
  };
}
