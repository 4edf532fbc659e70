#!/usr/bin/env python3
"""A Modbus/TCP server from pymodbus (not written here), for the tcp request tests.

Holding register i holds i * 10 (i = 0..999). Usage: modbus-server.py PORT
Prints "listening" once the server accepts connections.
"""
import asyncio
import sys

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server import StartAsyncTcpServer


async def main(port):
    block = ModbusSequentialDataBlock(0, [i * 10 for i in range(1000)])
    store = ModbusSlaveContext(hr=block, zero_mode=True)
    context = ModbusServerContext(slaves=store, single=True)
    server = await StartAsyncTcpServer(context, address=("127.0.0.1", port), defer_start=True)
    await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
