import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';

/** Bind a UDP socket (udp4/udp6 by the address family); closes it again if binding fails. */
export function bindUdpSocket(address: string, port: number): Promise<Socket> {
  const socket = createSocket({ type: isIPv6(address) ? 'udp6' : 'udp4', reuseAddr: false });
  return new Promise((resolve, reject) => {
    socket.once('error', (error) => {
      socket.close();
      reject(error);
    });
    socket.bind(port, address, () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}
